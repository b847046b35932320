/**
 * Our own few lines of Python that play the board half of a UART modem upgrade as
 * PROTOCOL.md §1 describes it: print what the firmware's updater prints, then go into
 * mirror mode (the host-facing UART switches to 921600 and is bridged to the modem;
 * the REPL is gone until a power-cycle). It is frozen into firmware ≥ 1.20, so the
 * simulator puts it in `/frozen` (on sys.path) only when the board "has" it.
 *
 * The modem facts (state, old bootrom) come from the simulated modem object through
 * `_simhost.fact()`: a simulation shortcut for the AT probing the real updater does.
 */
export const SQNSUPGRADE_STAND_IN_SOURCE = String.raw`
import os
import _simhost
import _simboard

VERSION = '1.2.7'


def _ffh_needed():
    # The recovery (FFH) method is needed once for a 33080 bootrom or a modem in recovery (state 0).
    return _simhost.fact('modemState') == 0 or bool(_simhost.fact('hasOldBootrom'))


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def uart(ffh_mode=False, mfile=None, color=True, load_ffh=False, mirror=True, switch_ffh=False, bootrom=False, rgbled=0x050505, debug=False, pkgdebug=False, atneg=True, max_try=10, direct=False, atneg_only=False, info_only=False, expected_smod=None, verbose=False, load_fff=False, mtools=False, fc=False):
    print('<<< Welcome to the SQN3330 firmware updater [%s] >>>' % VERSION)
    u = os.uname()
    print('>>> %s with firmware version %s' % (u.sysname, u.release))
    print('Preparing modem for upgrade...')
    if ffh_mode:
        if not _ffh_needed():
            print('FFH mode is not necessary... ignoring!')
            print('Do not specify updater.elf when updating!')
        elif mfile is None or not _exists(mfile):
            print('Error: %s not found! Copy updater.elf to /flash first.' % mfile)
            raise OSError('File %s not found' % mfile)
    print('Attempting AT wakeup...')
    if _simhost.fact('modemAnswers') == False:
        # The firmware's updater gives up on a silent modem before it mirrors anything.
        raise OSError('Timeout waiting for modem to respond!')
    print('Going into MIRROR mode... please close this terminal to resume the upgrade via UART')
    raise _simboard.EnterMirror()


def info(verbose=False, debug=False, hangup=False):
    print('<<< Welcome to the SQN3330 firmware updater [%s] >>>' % VERSION)
    print('Modem state: %s' % _simhost.fact('modemState'))
`;
