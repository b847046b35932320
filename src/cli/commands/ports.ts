import { listSerialPorts } from '../../core/transport/portList';
import { flagOption, parseCommandArgs } from '../args';
import type { CliCommand } from '../cliCommand';
import { JSON_OPTION } from '../cliSupport';
import { writeJsonLine } from '../renderJson';

export const portsCommand: CliCommand = {
  name: 'ports',
  summary: 'List serial ports, likely Pycom boards first.',
  usage: `Usage: pycom-modem ports [--json]

Lists the serial ports present now. Ports whose USB id or name looks like a Pycom
board (Expansion Board, Pysense, Pytrack, Pyscan, FTDI/CP210x adapters) come first.`,
  async run(context) {
    const args = parseCommandArgs('ports', context.argv, JSON_OPTION);
    const ports = await (context.listPorts ?? listSerialPorts)();
    if (flagOption(args, 'json')) {
      writeJsonLine(context.stdout, { kind: 'ports', ports });
      return 0;
    }
    if (ports.length === 0) {
      context.stdout.write('No serial ports found. Plug the board in (a data USB cable, not a charge-only one) and run this again.\n');
      return 0;
    }
    const width = Math.max(...ports.map((p) => p.path.length));
    for (const port of ports) {
      context.stdout.write(`${port.path.padEnd(width)}  ${port.isLikelyPycom ? '*' : ' '} ${port.description}\n`);
    }
    if (ports.some((p) => p.isLikelyPycom)) context.stdout.write('\n* likely a Pycom board\n');
    return 0;
  },
};
