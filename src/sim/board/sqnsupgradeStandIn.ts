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
 *
 * `run()` (the on-board methods, PROTOCOL.md §9: the file on /sd or /flash, the board
 * sends it to the modem itself and stays at its REPL), choices where the facts are open:
 * - Order of the checks: files first (mount /sd when the path is absolute and not under
 *   /flash, then `os.stat`, then the 128-byte minimum), then the modem's state; a
 *   missing mfile gets the same "wrong file name?" line as a missing firmware file. A
 *   card already mounted (a second run) is used as it is.
 * - The modem is talked to with real AT commands (`_simhost.modem('at', …)`, answered by
 *   the simulated modem's interpreter); the blocks go as hex orders, at most 2048 bytes,
 *   paced at the baudrate's line time; the modem's stalls come back as waits.
 * - With mfile on a modem that is not in state 0, updater.elf is not loaded: the modem's
 *   own updater boots with AT+SMSWBOOT=3,1 and ON_THE_FLY runs (with mfile the method is
 *   always ON_THE_FLY). force_fff=True takes FFF whatever the size, unless mfile is given.
 * - `Code download failed[1]`: a block the modem did not take (it crashed, went silent);
 *   `Code download failed [2]`: the modem refused to open the transfer (AT+SMSTPU).
 * - The progress bar: a line `[####                ] 20%` each time the percentage
 *   changes (20 characters wide), printed after the block that reached it.
 * - The waits after the transfer: the published 100 AT probes of ~21 s while the modem
 *   writes its flash, then AT+SMUPGRADE? up to 300 s (a modem that reboots meanwhile is
 *   waited for within the same budget), then AT+SMSWBOOT? up to 300 s. Lines announcing
 *   each wait are our wording. A budget spent prints `Upgrade failed with result timeout!`.
 * - Success prints `Your modem has been successfully updated.`, then `Here is the current
 *   firmware version:`, the showver block, the ATI1 lines and `IMEI: …`. The old-bootrom
 *   rewrite that follows a real run() on a 33080 bootrom is not acted out.
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


FFF_MAX_BYTES = 4 * 1024 * 1024
MIN_FIRMWARE_BYTES = 128
# After the transfer: 100 probes of ~21 s while the modem writes its flash; each poll loop 300 s.
WRITE_WAKEUP_MS = 100 * AT_WAKEUP_MS
POLL_BUDGET_MS = 300000
POLL_INTERVAL_MS = 1000
BAR_WIDTH = 20


def _at(command):
    # One AT command over the board's UART: the reply text, or None when the modem is silent.
    _say('AT> ' + command)
    reply = _simhost.modem('at', command)
    if reply is None:
        _say('AT< (no answer)')
        return None
    for line in reply.split('\r\n'):
        if line:
            _say('AT< ' + line)
    return reply


def _ok(reply):
    return reply is not None and 'OK' in reply and 'ERROR' not in reply


def _info_lines(reply):
    # The information lines of a reply, without the final result code.
    return [line for line in (reply or '').split('\r\n') if line and line not in ('OK', 'ERROR')]


def _mount_sd():
    if 'sd' in os.listdir('/'):
        return True
    try:
        from machine import SD
        os.mount(SD(), '/sd')
        return True
    except Exception:
        return False


def _file_size(path):
    try:
        return os.stat(path)[6]
    except Exception:
        return None


def _check_files(ffile, mfile):
    for path in (ffile, mfile):
        if path is None:
            continue
        if path.startswith('/') and not path.startswith('/flash'):
            if not _mount_sd():
                print('Unable to mount SD card!')
                return None
        if _file_size(path) is None:
            print('Exception when checking file %s... wrong file name?' % path)
            return None
    size = _file_size(ffile)
    if size < MIN_FIRMWARE_BYTES:
        print('Firmware file is too small!')
        return None
    return size


def _bar(percent):
    filled = BAR_WIDTH * percent // 100
    print('[%s%s] %d%%' % ('#' * filled, ' ' * (BAR_WIDTH - filled), percent))


def _transfer(ffile, size, baudrate):
    # The file from /sd or /flash to the modem, 2048 bytes at a time at the line rate.
    import ubinascii
    line_bytes_per_s = max(1, baudrate // 10)
    print('Starting STP (DO NOT DISCONNECT POWER!!!)')
    sent = 0
    shown = -1
    f = open(ffile, 'rb')
    try:
        while True:
            block = f.read(BLOCK_BYTES)
            if not block:
                break
            _simhost.sleep_ms(len(block) * 1000 / line_bytes_per_s)
            stall = _simhost.modem('stp-block', ubinascii.hexlify(block).decode())
            if stall is None or stall < 0:
                print('Code download failed[1], aborting!')
                return False
            sent += len(block)
            percent = sent * 100 // size
            if percent != shown:
                shown = percent
                _bar(percent)
            if stall > 0:
                # The modem thinks (around 8 % and 99 %): it takes nothing meanwhile.
                _simhost.sleep_ms(stall)
    finally:
        f.close()
    if not _simhost.modem('stp-end'):
        print('Code download failed[1], aborting!')
        return False
    return True


def _poll(command, done, budget_ms):
    # Asks again until done(reply) or the budget is spent; a silent modem (rebooting) counts as not yet.
    waited = 0
    while True:
        reply = _at(command)
        if reply is not None and done(reply):
            return reply
        if waited >= budget_ms:
            return None
        _simhost.sleep_ms(POLL_INTERVAL_MS)
        waited += POLL_INTERVAL_MS


def _upgrade_result(reply):
    for line in _info_lines(reply):
        if line.startswith('+SMUPGRADE:'):
            result = line[len('+SMUPGRADE:'):].strip()
            if 'success' in result or 'fail' in result:
                return result
    return None


def _show_version():
    print('Here is the current firmware version:')
    for line in _info_lines(_at('AT!="showver"')):
        print(line)
    for line in _info_lines(_at('ATI1')):
        print(line)
    imei = _info_lines(_at('AT+CGSN'))
    if imei:
        print('IMEI: %s' % imei[0])


def _detect_error():
    print('Could not detect your modem!')
    print('Please try to power off your device and restart in safeboot mode.')


def run(ffile, mfile=None, baudrate=921600, verbose=False, debug=False, load_fff=True, hangup=True, force_fff=False, **kwargs):
    global _debug
    _debug = debug
    _welcome()
    size = _check_files(ffile, mfile)
    if size is None:
        return None
    if _simhost.fault('lte-in-use') or _simhost.fact('lteAutostart'):
        raise OSError('Modem not disabled')
    state = _detect()
    if state is None:
        _detect_error()
        return None
    if state == 0 and mfile is None:
        print('Your modem is in recovery mode. Please specify updater.elf file')
        return None
    on_the_fly = mfile is not None or (not force_fff and (not load_fff or size > FFF_MAX_BYTES))
    print('Preparing modem for upgrade...')
    if state == 0:
        # The recovery bootrom takes updater.elf first; the updater then goes on as a resume.
        if not _load_updater(mfile):
            return None
        _at('AT+SMOD?')
    elif state == 4:
        _at('AT+SMOD?')
    else:
        for command in ('AT+BIND=AT', 'ATE0', 'AT+SMLOG?', 'AT+SMOD?', 'AT+SQNSUPGRADENTF="started"', 'AT', 'AT+SQNWL="sqndcc",2', 'AT+CFUN=4'):
            _at(command)
        if on_the_fly and state != 1:
            if not _ok(_at('AT+SMSWBOOT=3,1')):
                print('Received ERROR from AT+SMSWBOOT=3,1! Aborting!')
                return None
            print('Waiting for the modem to restart into its updater...')
            if not _wakeup(MODEM_BOOT_MS):
                _detect_error()
                return None
            _at('AT+CFUN=4')
            _at('AT+SMLOG?')
    if not _ok(_at('AT+SMSTPU="ON_THE_FLY"' if on_the_fly else 'AT+SMSTPU')):
        print('Code download failed [2], aborting!')
        return None
    if not _transfer(ffile, size, baudrate):
        return None
    if not on_the_fly:
        _at('AT+SMUPGRADE')
    print('Waiting for the modem to finish the upgrade (it writes its flash: do not power off)...')
    if not _wakeup(WRITE_WAKEUP_MS):
        print('Upgrade failed with result timeout!')
        print('Modem upgrade was unsucessfull. Please check your firmware file(s)')
        return None
    reply = _poll('AT+SMUPGRADE?', lambda r: _upgrade_result(r) is not None, POLL_BUDGET_MS)
    result = _upgrade_result(reply) if reply is not None else 'timeout'
    if 'success' not in result:
        print('Upgrade failed with result %s!' % result)
        print('Modem upgrade was unsucessfull. Please check your firmware file(s)')
        return None
    _poll('AT+SMSWBOOT?', lambda r: 'RECOVERY' in r or 'FFH' in r or 'FFF' in r, POLL_BUDGET_MS)
    if on_the_fly:
        _at('AT+SMSWBOOT=1,1')
        print('Waiting for the modem to boot its new firmware...')
        if not _wakeup(MODEM_BOOT_MS):
            _detect_error()
            return None
    _at('AT+SQNSUPGRADENTF="success"')
    print('Your modem has been successfully updated.')
    _show_version()
    return None


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
