import { constants as fsConstants } from 'node:fs';
import { access, readFile, readdir, readlink, realpath } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { loadSerialPort } from './serialBinding';
import { formatUsbId, lookupUsbId, mentionsPycom, parseUsbId } from './pycomUsbIds';

export interface SerialPortInfo {
  path: string;
  manufacturer?: string;
  /** Four lowercase hex digits, as serialport spells them ("04d8"). */
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** The board's name when its USB id (or name) says so: 'Pysense', 'Expansion Board 3.x', ... */
  board?: string;
  isLikelyPycom: boolean;
  /** One line for a picker. */
  description: string;
}

/** What serialport's list() gives, the fields we use. */
export interface RawPortInfo {
  path: string;
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  pnpId?: string;
}

export interface PortListOptions {
  platform?: NodeJS.Platform;
  /** PATH to look for udevadm in; defaults to the process's. */
  searchPath?: string;
  /** Where device nodes live (tests point it at a fake tree). */
  devRoot?: string;
  /** Where the kernel describes ttys. */
  sysTtyRoot?: string;
  /** Replaces serialport's list() (tests); still only called where it may be. */
  systemList?: () => Promise<RawPortInfo[]>;
}

/**
 * The serial ports present now, Pycom boards first. On Linux serialport's list()
 * spawns `udevadm`: without it (containers, minimal installs) serialport 13 rejects
 * with "spawn udevadm ENOENT" (older bindings left that 'error' event unhandled and
 * the process died), and where udev runs without a database it lists nothing. So
 * udevadm is looked for first, and the device tree is scanned as well, which also
 * finds ports udev does not know about.
 */
export async function listSerialPorts(options: PortListOptions = {}): Promise<SerialPortInfo[]> {
  const platform = options.platform ?? process.platform;
  const systemList = options.systemList ?? serialportList;
  let raw: RawPortInfo[] = [];
  if (platform === 'linux') {
    const mayUseSystemList = await isOnPath('udevadm', options.searchPath);
    const listed = mayUseSystemList ? await systemList().catch(() => []) : [];
    const scanned = await scanLinuxDevices(options.devRoot ?? '/dev', options.sysTtyRoot ?? '/sys/class/tty');
    raw = await mergeByDevice(listed, scanned);
  } else {
    // Listing fails only when the binding is broken; an empty list then, the open reports why.
    raw = await systemList().catch(() => []);
  }
  return sortPorts(raw.map(toPortInfo));
}

/** "/dev/ttyACM0 — Pysense (Pycom, 04d8:f012)" */
export function describePort(info: Omit<SerialPortInfo, 'description'>): string {
  const ids = info.vendorId && info.productId ? `${info.vendorId}:${info.productId}` : undefined;
  const who = [info.manufacturer, ids].filter(Boolean).join(', ');
  const what = info.board ?? (info.manufacturer ? 'serial port' : 'serial port (unknown device)');
  return `${info.path} — ${what}${who ? ` (${who})` : ''}`;
}

export function toPortInfo(raw: RawPortInfo): SerialPortInfo {
  const vendorId = normalizeId(raw.vendorId);
  const productId = normalizeId(raw.productId);
  const known = lookupUsbId(vendorId, productId);
  const namesPycom = mentionsPycom(raw.manufacturer) || mentionsPycom(raw.pnpId);
  const isLikelyPycom = known?.certainty === 'documented' || namesPycom;
  const info: Omit<SerialPortInfo, 'description'> = {
    path: raw.path,
    ...(raw.manufacturer ? { manufacturer: raw.manufacturer } : {}),
    ...(vendorId ? { vendorId } : {}),
    ...(productId ? { productId } : {}),
    ...(raw.serialNumber ? { serialNumber: raw.serialNumber } : {}),
    ...(known ? { board: known.board } : namesPycom ? { board: 'Pycom board' } : {}),
    isLikelyPycom,
  };
  return { ...info, description: describePort(info) };
}

/** Pycom boards, then known bridges, then the rest; by path within each. */
export function sortPorts(ports: SerialPortInfo[]): SerialPortInfo[] {
  const rank = (port: SerialPortInfo) => (port.isLikelyPycom ? 0 : port.board ? 1 : port.vendorId ? 2 : 3);
  return [...ports].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path, undefined, { numeric: true }));
}

function normalizeId(id: string | undefined): string | undefined {
  const parsed = parseUsbId(id);
  return parsed === undefined ? undefined : formatUsbId(parsed);
}

async function serialportList(): Promise<RawPortInfo[]> {
  const { SerialPort } = await loadSerialPort();
  return SerialPort.list();
}

async function isOnPath(command: string, searchPath = process.env.PATH ?? ''): Promise<boolean> {
  for (const dir of searchPath.split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, command), fsConstants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** The USB-serial and UART device names worth offering; ttyS* are legacy 16550 slots, mostly empty. */
const TTY_NAME = /^tty(USB|ACM|AMA|XRUSB)\d+$/;

/**
 * Finds ports from the device tree alone: /dev/ttyUSB*, /dev/ttyACM*, ... and the
 * /dev/serial/by-id links (whose names carry the maker and serial number), with USB
 * ids read from sysfs where the kernel exposes them.
 */
export async function scanLinuxDevices(devRoot: string, sysTtyRoot: string): Promise<RawPortInfo[]> {
  const found = new Map<string, RawPortInfo>();
  for (const name of await readdir(devRoot).catch(() => [] as string[])) {
    if (TTY_NAME.test(name)) found.set(name, { path: join(devRoot, name) });
  }
  const byIdDir = join(devRoot, 'serial', 'by-id');
  for (const link of await readdir(byIdDir).catch(() => [] as string[])) {
    // One hop only: the link names the tty node ("../../ttyACM0"); following further
    // would land on whatever that node points to.
    const target = await readlink(join(byIdDir, link)).catch(() => undefined);
    if (!target) continue;
    const name = basename(target);
    const entry = found.get(name) ?? { path: join(devRoot, name) };
    entry.pnpId = link;
    found.set(name, entry);
  }
  for (const [name, entry] of found) {
    Object.assign(entry, await readUsbAttributes(join(sysTtyRoot, name)));
  }
  return [...found.values()];
}

/**
 * Walks up from the tty's device to the USB device that carries idVendor: one level
 * for a CDC-ACM interface (ttyACM), two for a usb-serial port (ttyUSB).
 */
async function readUsbAttributes(ttyDir: string): Promise<Partial<RawPortInfo>> {
  let dir = await realpath(join(ttyDir, 'device')).catch(() => undefined);
  for (let depth = 0; dir && depth < 4; depth++, dir = dirname(dir)) {
    const vendorId = await readAttribute(dir, 'idVendor');
    if (!vendorId) continue;
    const attributes: Partial<RawPortInfo> = { vendorId, productId: await readAttribute(dir, 'idProduct') };
    const manufacturer = await readAttribute(dir, 'manufacturer');
    const serialNumber = await readAttribute(dir, 'serial');
    if (manufacturer) attributes.manufacturer = manufacturer;
    if (serialNumber) attributes.serialNumber = serialNumber;
    return attributes;
  }
  return {};
}

async function readAttribute(dir: string, name: string): Promise<string | undefined> {
  const text = await readFile(join(dir, name), 'latin1').catch(() => undefined);
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** One entry per device node: serialport's fields win, the scan fills gaps and adds what udev missed. */
async function mergeByDevice(listed: RawPortInfo[], scanned: RawPortInfo[]): Promise<RawPortInfo[]> {
  const byDevice = new Map<string, RawPortInfo>();
  const keyOf = async (path: string) => (await realpath(path).catch(() => path)) as string;
  for (const entry of scanned) byDevice.set(await keyOf(entry.path), { ...entry });
  for (const entry of listed) {
    const key = await keyOf(entry.path);
    const scan = byDevice.get(key);
    const merged: RawPortInfo = { ...scan, path: entry.path };
    for (const field of ['manufacturer', 'vendorId', 'productId', 'serialNumber', 'pnpId'] as const) {
      const value = entry[field];
      if (value) merged[field] = value;
    }
    byDevice.set(key, merged);
  }
  return [...byDevice.values()];
}
