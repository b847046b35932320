import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../core/errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * Parses a subcommand's argv strictly: an unknown option or a missing value is the user's
 * mistake, reported as a UsageError that points at the command's help.
 */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec): ParsedArgs {
  try {
    const parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UsageError(`pycom-modem ${command}: ${detail}`, `Run \`pycom-modem help ${command}\` for the options.`);
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function stringListOption(args: ParsedArgs, name: string): string[] {
  const value = args.values[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function flagOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A number option with bounds; the message names the option and the accepted range. */
export function numberOption(
  args: ParsedArgs,
  command: string,
  name: string,
  bounds: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const text = stringOption(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  const isBad =
    !Number.isFinite(value) ||
    (bounds.integer && !Number.isInteger(value)) ||
    (bounds.min !== undefined && value < bounds.min) ||
    (bounds.max !== undefined && value > bounds.max);
  if (isBad) {
    const range = [bounds.min !== undefined ? `>= ${bounds.min}` : '', bounds.max !== undefined ? `<= ${bounds.max}` : '']
      .filter(Boolean)
      .join(' and ');
    throw new UsageError(
      `pycom-modem ${command}: --${name} ${JSON.stringify(text)} is not a valid ${bounds.integer ? 'integer' : 'number'}${range ? ` (${range})` : ''}.`,
      `Run \`pycom-modem help ${command}\` for the options.`,
    );
  }
  return value;
}

export function requirePort(args: ParsedArgs, command: string): string {
  const port = stringOption(args, 'port');
  if (!port) {
    throw new UsageError(
      `pycom-modem ${command} needs --port <path>.`,
      'Run `pycom-modem ports` to list the serial ports, then pass one with --port.',
    );
  }
  return port;
}

/**
 * One value of an option declared `multiple` (such as --port, which `board upgrade` takes
 * once per board): the actions that work on one thing refuse a second value rather than
 * silently use one of them.
 */
export function singleStringOption(args: ParsedArgs, command: string, name: string): string | undefined {
  const values = stringListOption(args, name);
  if (values.length > 1) {
    throw new UsageError(
      `pycom-modem ${command}: --${name} was given ${values.length} times; this action takes one.`,
      `Run \`pycom-modem help ${command}\` for the actions that take several.`,
    );
  }
  return values[0];
}
