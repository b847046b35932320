/**
 * Faults of the board half of an upgrade (PROTOCOL.md §9), as the simulated board's
 * updater shows them. The modem's own failures (a silent modem among them) are
 * SimFault in ../modem/modemFaults.ts.
 */
export type BoardFault =
  | 'lte-in-use' // LTE() was initialised (main.py, Pybytes): the firmware raises OSError('Modem not disabled')
  | 'no-upgrade-mode' // firmware without LTE.modem_upgrade_mode(): the updater says so and returns
  | 'bootrom-write-fails' // the FFH bootrom rewrite fails: 'Unable to upgrade bootrom.', old bootrom kept
  | 'updater-load-fails'; // the modem does not take updater.elf from the board: 'Unable to load updater from …'

export const BOARD_FAULTS: readonly BoardFault[] = ['lte-in-use', 'no-upgrade-mode', 'bootrom-write-fails', 'updater-load-fails'];

export function isBoardFault(name: string): name is BoardFault {
  return (BOARD_FAULTS as readonly string[]).includes(name);
}
