/**
 * Our own Python for the board's `sqnsupgrade` module, written from PROTOCOL.md §1 and
 * §9 (the published updater's on-board API, its messages and what they mean). It is
 * frozen into firmware ≥ 1.20, so the simulator puts it in `/frozen` (on sys.path) only
 * when the board "has" it.
 *
 * What the real updater learns over the modem UART (does it answer AT, AT+SMOD?, ATI1,
 * the bootrom) comes from the simulated modem through `_simhost.fact()`; the steps it
 * takes on the modem itself (load updater.elf, rewrite the bootrom, switch to FFH) are
 * orders through `_simhost.modem()`, and the board then spends the time they take with
 * `_simhost.sleep_ms` in board time, so timeScale and Ctrl-C apply.
 *
 * Choices where the facts are open:
 * - The firmware checks (no `LTE.modem_upgrade_mode`, `LTE()` in use) come right after
 *   "Preparing modem for upgrade...", before any modem step.
 * - State 0 without ffh_mode mirrors anyway after its warning: the host can then run the
 *   recovery path itself (PROTOCOL.md §2 expects the board to have negotiated 921600).
 * - ffh_mode checks that mfile can be read before touching the bootrom: a rewritten
 *   bootrom without an updater to load would leave the modem in its FFH bootrom.
 * - Return values are None, so a friendly REPL prints nothing after the messages.
 */
export const SQNSUPGRADE_STAND_IN_SOURCE = String.raw`
import os
import micropython
import _simhost
import _simboard

VERSION = '1.2.7'
# Board-time budgets. One unanswered AT probe of the published updater costs about 21 s
# (PROTOCOL.md §8); a modem loading its updater may take minutes, and the published tool
# gives such a wait 300 s.
AT_WAKEUP_MS = 21000
PROBE_INTERVAL_MS = 1000
MODEM_BOOT_MS = 300000
# The recovery bootrom's STP max transfer (PROTOCOL.md §2): the board sends 2048 at a time.
BLOCK_BYTES = 2048
# The modem UART runs 921600 8N1: ten bits a byte.
LINE_BYTES_PER_S = 92160
# Writing a bootrom through the application: seconds (an assumption; the facts say only
# that it takes a while and must never be interrupted).
BOOTROM_WRITE_MS = 8000
PROGRESS_STEPS = 4

_debug = False


def _say(text):
    if _debug:
        print('[DEBUG] ' + text)


def _welcome():
    print('<<< Welcome to the SQN3330 firmware updater [%s] >>>' % VERSION)
    u = os.uname()
    print('>>> %s with firmware version %s' % (u.sysname, u.release))


def _wakeup(budget_ms):
    # AT probes until one is answered or the budget is spent.
    waited = 0
    while True:
        _say('AT> AT')
        if _simhost.fact('modemAnswers'):
            _say('AT< OK')
            return True
        if waited >= budget_ms:
            _say('AT< (no answer)')
            return False
        _simhost.sleep_ms(PROBE_INTERVAL_MS)
        waited += PROBE_INTERVAL_MS


def _smod():
    _say('AT> AT+SMOD?')
    state = _simhost.fact('modemState')
    _say('AT< %s' % state)
    _say('AT< OK')
    return state


def _detect():
    # The modem's state, or None when it does not answer.
    if not _wakeup(AT_WAKEUP_MS):
        return None
    return _smod()


def _open_updater(mfile):
    try:
        size = os.stat(mfile)[6]
        return open(mfile, 'rb'), size
    except (OSError, TypeError):
        return None, 0


def _load_updater(mfile):
    # updater.elf from /flash into the recovery bootrom, 2048 bytes at a time at the line rate.
    f, size = _open_updater(mfile)
    if f is None or size == 0:
        print('Unable to load updater from %s' % mfile)
        return False
    print('Loading %s (%d bytes) into the modem...' % (mfile, size))
    _say('AT> AT+STP')
    head = b''
    sent = 0
    shown = 0
    try:
        while True:
            block = f.read(BLOCK_BYTES)
            if not block:
                break
            if not head:
                head = block[:4]
            _simhost.sleep_ms(len(block) * 1000 / LINE_BYTES_PER_S)
            sent += len(block)
            while shown < PROGRESS_STEPS and sent * PROGRESS_STEPS >= size * (shown + 1):
                shown += 1
                print('Updater: %d%%' % (100 * shown // PROGRESS_STEPS))
    finally:
        f.close()
    if _simhost.fault('updater-load-fails') or not _simhost.modem('load-updater', ''.join('%02x' % b for b in head)):
        print('Unable to load updater from %s' % mfile)
        return False
    print('Waiting for the updater to start...')
    if not _wakeup(MODEM_BOOT_MS):
        print('Unable to load updater from %s' % mfile)
        return False
    print('Updater started.')
    return True


def _rewrite_bootrom():
    # A half-written bootrom bricks the modem: Ctrl-C is data until it is done, from
    # before the announcement on (a host may answer the line at once).
    micropython.kbd_intr(-1)
    print('Upgrading bootrom (FFH)... do not power off or interrupt!')
    try:
        _simhost.sleep_ms(BOOTROM_WRITE_MS)
    finally:
        micropython.kbd_intr(3)
    if _simhost.fault('bootrom-write-fails') or not _simhost.modem('rewrite-bootrom'):
        print('Unable to upgrade bootrom.')
        return False
    print('Bootrom upgraded.')
    return True


def _switch_ffh():
    _say('AT> AT+SMSWBOOT=0,1')
    if not _simhost.modem('switch-ffh'):
        print('Received ERROR from AT+SMSWBOOT=0,1!')
        return False
    _say('AT< OK')
    if not _wakeup(MODEM_BOOT_MS):
        print('Could not detect your modem!')
        return False
    return True


def _ffh(state, mfile):
    # True when the modem is ready to mirror; False after a message (back to the REPL).
    if state == 0:
        return _load_updater(mfile)
    if state in (1, 2) and _simhost.fact('hasOldBootrom'):
        f, size = _open_updater(mfile)
        if f is None:
            print('Unable to load updater from %s' % mfile)
            return False
        f.close()
        return _rewrite_bootrom() and _switch_ffh() and _load_updater(mfile)
    print('FFH mode is not necessary... ignoring!')
    print('Do not specify updater.elf when updating!')
    return True


def uart(ffh_mode=False, mfile=None, color=True, verbose=False, debug=False, hangup=True, **kwargs):
    global _debug
    _debug = debug
    _welcome()
    print('Preparing modem for upgrade...')
    if _simhost.fault('no-upgrade-mode'):
        print('Firmware does not support LTE.modem_upgrade_mode()!')
        return None
    if _simhost.fault('lte-in-use') or _simhost.fact('lteAutostart'):
        raise OSError('Modem not disabled')
    print('Attempting AT wakeup...')
    state = _detect()
    if state is None:
        print('Could not detect your modem!')
        print('Please try to power off your device and restart in safeboot mode.')
        return None
    if ffh_mode:
        if not _ffh(state, mfile):
            return None
    elif state == 0:
        print('Your modem is in recovery mode! You will need to use firmware.dup and updater.elf file to upgrade.')
    # The state check the firmware makes before it bridges the UARTs (PROTOCOL.md §1).
    _smod()
    _say('AT> AT+IPR=921600')
    _say('AT< OK')
    print('Going into MIRROR mode... please close this terminal to resume the upgrade via UART')
    raise _simboard.EnterMirror()


def info(verbose=False, debug=False, hangup=False, **kwargs):
    global _debug
    _debug = debug
    _welcome()
    state = _detect()
    if state is None:
        print('Cannot determine modem state!')
    elif state == 2:
        print('Your modem is in application mode. Here is the current version:')
        _say('AT> ATI1')
        for line in _simhost.fact('ati1').split('\n'):
            print(line)
        print('IMEI: %s' % _simhost.fact('imei'))
    elif state == 1:
        print('Your modem is in mTools mode.')
    elif state == 0:
        print('Your modem is in recovery mode! Use firmware.dup and updater.elf to flash new firmware.')
    elif state == 4:
        print('Your modem is in upgrade mode! Use firmware.dup to flash new firmware.')
    else:
        print('Cannot determine modem state!')
    if verbose:
        print('LTE autostart %s.' % ('enabled' if _simhost.fact('lteAutostart') else 'disabled'))


def state(verbose=False, debug=False, **kwargs):
    global _debug
    _debug = debug
    return _detect()


def imei(verbose=False, debug=False, **kwargs):
    global _debug
    _debug = debug
    if _detect() is None:
        return None
    _say('AT> AT+CGSN')
    return _simhost.fact('imei')


def load(mfile, verbose=False, debug=False, **kwargs):
    global _debug
    _debug = debug
    _welcome()
    state = _detect()
    if state is None:
        print('Could not detect your modem!')
        return False
    if state != 0:
        # Only the recovery bootrom takes updater.elf.
        print('Your modem is not in recovery mode: updater.elf cannot be loaded now.')
        return False
    return _load_updater(mfile)
`;
