import { createInterface } from 'node:readline';
import type { CliContext } from './cliCommand';

/**
 * A yes/no question on the terminal; "no" unless the user types y/yes. Never asks when
 * stdin is not a terminal (a script or a pipe gets the default at once).
 */
export async function askYesNo(context: CliContext, question: string): Promise<boolean> {
  if (!context.canPrompt || !context.stdin) return false;
  const rl = createInterface({ input: context.stdin, output: context.stdout as NodeJS.WritableStream, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      const onAbort = () => resolve('');
      context.signal.addEventListener('abort', onAbort, { once: true });
      rl.question(`${question} [y/N] `, (text) => {
        context.signal.removeEventListener('abort', onAbort);
        resolve(text);
      });
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
