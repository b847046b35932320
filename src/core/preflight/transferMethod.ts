import { UsageError } from '../errors';
import { FFF_MAX_BYTES, transferMethodForSize, transferMethodName, type FirmwareFileClass, type TransferMethod } from '../parse/firmwareFile';

/** 'auto' follows Pycom's documented choice; the others force one method for every file. */
export type TransferMethodOption = 'auto' | TransferMethod;

const OPTION_SPELLINGS: Record<string, TransferMethodOption> = {
  auto: 'auto',
  'on-the-fly': 'on-the-fly',
  on_the_fly: 'on-the-fly',
  onthefly: 'on-the-fly',
  fff: 'fff',
};

/** The method option as a person types it (none given: 'auto'); "ON_THE_FLY" is accepted as the modem spells it. */
export function parseTransferMethodOption(text: string | undefined): TransferMethodOption {
  if (text === undefined) return 'auto';
  const option = OPTION_SPELLINGS[text.trim().toLowerCase()];
  if (!option) {
    throw new UsageError(
      `Unknown transfer method "${text}".`,
      'Use auto (the documented choice per file), on-the-fly or fff.',
    );
  }
  return option;
}

export interface MethodChoice {
  method: TransferMethod;
  /** Why, in words, for the plan and the log. */
  reason: string;
  /** Set when a forced method goes against the documented choice: what the docs say instead. */
  overrideWarning?: string;
}

/** What the documented rules pick for one file, without any override. */
function documentedMethod(file: { name: string; size: number; class: FirmwareFileClass }, hasUpdater: boolean): { method: TransferMethod; reason: string } {
  // Pycom's "Modem Firmware Update" page: stage 1 of CATM1-5.2-48829 is sent with
  // load_fff=False although it is only 416,448 bytes; sent FFF it has bricked modems
  // (forum topics 7590, 7763).
  if (file.class.kind === 'full' && file.class.stage === 1) return { method: 'on-the-fly', reason: 'stage 1 of a two-stage upgrade always goes ON_THE_FLY' };
  // The published updater 1.2.7: with mfile (updater.elf) it always sends ON_THE_FLY.
  if (hasUpdater) return { method: 'on-the-fly', reason: 'with updater.elf the image always goes ON_THE_FLY' };
  const bySize = transferMethodForSize(file.size);
  return {
    method: bySize,
    reason: bySize === 'on-the-fly' ? `larger than ${FFF_MAX_BYTES} bytes` : `${FFF_MAX_BYTES} bytes or less, staged in the modem`,
  };
}

/** The method one firmware file is sent with (PROTOCOL.md sections 2 and 9). */
export function chooseTransferMethod(
  file: { name: string; size: number; class: FirmwareFileClass },
  context: { option?: TransferMethodOption; hasUpdater: boolean },
): MethodChoice {
  const documented = documentedMethod(file, context.hasUpdater);
  const option = context.option ?? 'auto';
  if (option === 'auto') return documented;
  if (option === documented.method) return { method: option, reason: `${documented.reason} (also the method asked for)` };
  return {
    method: option,
    reason: 'the method asked for',
    overrideWarning:
      `${file.name} is sent ${transferMethodName(option)} as asked, although the documented choice is ${transferMethodName(documented.method)} (${documented.reason})` +
      (file.class.stage === 1 ? ': a stage 1 file sent any other way has bricked modems.' : '.'),
  };
}
