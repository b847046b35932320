/**
 * Python that turns MicroPython 1.27 (webassembly) into something that looks like a
 * Pycom GPy on firmware 1.20.2 (MicroPython 1.11) to a host: GPy `os.uname()`, a small
 * `/flash` whose free space is reported AND enforced (ENOSPC), board-time sleeps that
 * Ctrl-C can end, `machine.reset()`, and the `u`-names. Written to `/_sim/_simboard.py`
 * in the interpreter's file system and imported once per interpreter.
 *
 * Stand-in modules are class instances placed in `sys.modules` (MicroPython cannot
 * create module objects from Python; the importer looks in sys.modules first).
 */
export const SIMBOARD_MODULE_SOURCE = String.raw`
import sys
import gc
import os as _os
import time as _time
import micropython as _mp
import builtins as _builtins
import _simhost

FLASH = '/flash'
SD = '/sd'
# The card's files while /sd is not mounted (SD_CARD_STORE in boardOptions.ts).
SD_STORE = '/_sdcard'
BLOCK_BYTES = 4096
S_IFDIR = 0x4000
ENOSPC = 28
_real_open = _builtins.open


class EnterMirror(BaseException):
    pass


class BoardReset(BaseException):
    pass


class _StandIn:
    def __init__(self, name, real):
        self._name = name
        self._real = real

    def __getattr__(self, attr):
        if self._real is None:
            raise AttributeError(attr)
        return getattr(self._real, attr)

    def __repr__(self):
        return "<module '%s'>" % self._name


class _Uname:
    _fields = ('sysname', 'nodename', 'release', 'version', 'machine')

    def __init__(self, values):
        self._values = tuple(values)
        for i in range(5):
            setattr(self, self._fields[i], values[i])

    def __getitem__(self, i):
        return self._values[i]

    def __len__(self):
        return 5

    def __iter__(self):
        return iter(self._values)

    def __repr__(self):
        parts = []
        for i in range(5):
            parts.append('%s=%s' % (self._fields[i], repr(self._values[i])))
        return '(' + ', '.join(parts) + ')'


def _abs(path):
    if not path.startswith('/'):
        cwd = _os.getcwd()
        path = (cwd if cwd.endswith('/') else cwd + '/') + path
    return path


def _in_flash(path):
    path = _abs(path)
    return path == FLASH or path.startswith(FLASH + '/')


def _blocks(size):
    return (size + BLOCK_BYTES - 1) // BLOCK_BYTES


def _used_blocks(path=FLASH):
    used = 0
    for entry in _os.ilistdir(path):
        child = path + '/' + entry[0]
        if entry[1] == S_IFDIR:
            used += 1 + _used_blocks(child)
        else:
            used += _blocks(_os.stat(child)[6])
    return used


def total_blocks():
    return _simhost.config('flashBytes') // BLOCK_BYTES


def free_blocks():
    return max(0, total_blocks() - _used_blocks())


class _FlashFile:
    # A file opened for writing on /flash: writes beyond the free blocks fail with
    # ENOSPC after writing what fits (as FatFS does), and each write costs flash time.
    def __init__(self, f, path):
        self._f = f
        self._path = _abs(path)

    def write(self, data):
        n = len(data.encode()) if isinstance(data, str) else len(data)
        pos = self._f.tell()
        size = _os.stat(self._path)[6]
        end = pos + n
        need = _blocks(end) - _blocks(size) if end > size else 0
        free = free_blocks()
        if need > free:
            fit = (_blocks(size) + free) * BLOCK_BYTES - pos
            if fit > 0:
                self._f.write(data[:fit])
                _simhost.flash_written(fit)
            raise OSError(ENOSPC)
        written = self._f.write(data)
        _simhost.flash_written(n)
        return written

    def __getattr__(self, attr):
        return getattr(self._f, attr)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._f.close()

    def __iter__(self):
        return iter(self._f)


def open(path, mode='r', *args, **kwargs):
    f = _real_open(path, mode, *args, **kwargs)
    if ('w' in mode or 'a' in mode or '+' in mode) and _in_flash(path):
        return _FlashFile(f, path)
    return f


def _exists(path):
    try:
        _os.stat(path)
        return True
    except OSError:
        return False


def sd_mounted():
    return _exists(SD)


class SDCard:
    # machine.SD(): the card in the slot; without one, as Pycom's firmware does, OSError.
    def __init__(self, *args, **kwargs):
        if not _simhost.config('hasSdCard'):
            raise OSError('the requested operation failed')

    def __repr__(self):
        return '<SD>'


def unmount_sd():
    if sd_mounted():
        if _os.getcwd().startswith(SD):
            _os.chdir(FLASH)
        _os.rename(SD, SD_STORE)


def _roots():
    return ['flash', 'sd'] if sd_mounted() else ['flash']


class _Os(_StandIn):
    def mount(self, obj, path, *args, **kwargs):
        # Only the SD card mounts here, at /sd (what the updater and Pycom's docs do).
        if not isinstance(obj, SDCard) or _abs(path).rstrip('/') != SD:
            raise OSError(22)
        if sd_mounted():
            raise OSError(1)
        _os.rename(SD_STORE, SD)

    def umount(self, path):
        if _abs(path).rstrip('/') != SD or not sd_mounted():
            raise OSError(22)
        unmount_sd()

    def uname(self):
        return _Uname(_simhost.config('uname'))

    def statvfs(self, path):
        if not _in_flash(path):
            return _os.statvfs(path)
        free = free_blocks()
        return (BLOCK_BYTES, BLOCK_BYTES, total_blocks(), free, free, 0, 0, 0, 0, 255)

    def listdir(self, path=None):
        if path is None:
            path = _os.getcwd()
        if _abs(path) == '/':
            return _roots()
        return _os.listdir(path)

    def ilistdir(self, path=None):
        if path is None:
            path = _os.getcwd()
        if _abs(path) == '/':
            return iter([(name, S_IFDIR, 0, 0) for name in _roots()])
        return _os.ilistdir(path)

    def sync(self):
        pass


class _Time(_StandIn):
    def sleep(self, seconds):
        _simhost.sleep_ms(seconds * 1000)

    def sleep_ms(self, ms):
        _simhost.sleep_ms(ms)

    def sleep_us(self, us):
        _simhost.sleep_ms(us / 1000)


class _MicroPython(_StandIn):
    def kbd_intr(self, c):
        _mp.kbd_intr(c)
        _simhost.set_intr_char(c)


def kbd_intr_real(c):
    _mp.kbd_intr(c)


class _Machine(_StandIn):
    PWRON_RESET = 0
    HARD_RESET = 1
    WDT_RESET = 2
    DEEPSLEEP_RESET = 3
    SOFT_RESET = 4
    BROWN_OUT_RESET = 5

    SD = SDCard

    def reset(self):
        raise BoardReset()

    def reset_cause(self):
        return 0

    def unique_id(self):
        return b'\x24\x0a\xc4\x00\x00\x01'

    def freq(self):
        return 160000000

    def idle(self):
        pass


class _Pycom(_StandIn):
    def heartbeat(self, on=None):
        return False if on is None else None

    def rgbled(self, color):
        pass

    def lte_modem_en_on_boot(self, on=None):
        # Read only here: the setting comes from the board's options (lteAutostart).
        if on is None:
            return bool(_simhost.fact('lteAutostart'))
        raise OSError('the simulated board sets LTE autostart through its options')


_BASE_MODULES = None
_BASE_GLOBALS = None


def install(main_globals):
    global _BASE_MODULES, _BASE_GLOBALS
    os_mod = _Os('uos', _os)
    time_mod = _Time('utime', _time)
    shims = {
        'os': os_mod, 'uos': os_mod,
        'time': time_mod, 'utime': time_mod,
        'micropython': _MicroPython('micropython', _mp),
        'machine': _Machine('machine', None),
        'pycom': _Pycom('pycom', None),
    }
    for name in shims:
        sys.modules[name] = shims[name]
    _builtins.open = open
    for d in ('/flash',) + ((SD_STORE,) if _simhost.config('hasSdCard') else ()):
        try:
            _os.mkdir(d)
        except OSError:
            pass
    _os.chdir(FLASH)
    reset_path()
    _BASE_MODULES = dict(sys.modules)
    _BASE_GLOBALS = set(main_globals)


def reset_path():
    sys.path.clear()
    sys.path.extend(['', '/flash', '/flash/lib'])
    if _simhost.config('hasSqnsupgrade'):
        sys.path.append('/frozen')


def soft_reset(main_globals):
    # What a soft reboot clears: the heap (globals, imported modules); /flash stays.
    for name in list(main_globals):
        if name not in _BASE_GLOBALS:
            del main_globals[name]
    for name in list(sys.modules):
        if name not in _BASE_MODULES:
            del sys.modules[name]
    for name in _BASE_MODULES:
        sys.modules[name] = _BASE_MODULES[name]
    # A mounted card is unmounted by the reboot: the next user mounts it again.
    unmount_sd()
    _os.chdir(FLASH)
    reset_path()
    gc.collect()
`;

/** Runs at interpreter start in `__main__`: installs the stand-ins. */
export const PRELUDE_SOURCE = [
  'import sys',
  "sys.path.insert(0, '/_sim')",
  'import _simboard',
  'sys.path.pop(0)',
  'import _simhost',
  '_simboard.install(globals())',
  'del sys',
  '',
].join('\n');
