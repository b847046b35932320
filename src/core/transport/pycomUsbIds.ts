/**
 * USB ids of the serial bridges a Pycom board shows up behind, so the port picker can
 * put the board first and name it. The ids are facts from vendor documentation where
 * marked `documented`; the rest are common bridges that Pycom hardware is known or
 * believed to use, marked `possible`, because the same chip sits on countless
 * non-Pycom adapters.
 */

/** Microchip's vendor id, used by Pycom's PIC-based expansion boards. */
export const PYCOM_VENDOR_ID = 0x04d8;

export type UsbIdCertainty = 'documented' | 'possible';

export interface UsbBoardId {
  vendorId: number;
  productId: number;
  /** What a person calls it in a picker. */
  board: string;
  /** Documented Pycom ids are Pycom boards; `possible` ids are generic bridges. */
  certainty: UsbIdCertainty;
  /** True for a board in its DFU (expansion-board firmware update) mode: it offers no serial port then. */
  isDfuMode?: boolean;
}

/**
 * Pycom's expansion boards enumerate as a CDC-ACM device with Microchip's vendor id;
 * each board has one product id in normal (application) mode and another in DFU mode
 * (Pycom documentation "Updating Expansion Board Firmware", the Product ID table).
 */
const PYCOM_BOARD_IDS: readonly UsbBoardId[] = [
  { vendorId: PYCOM_VENDOR_ID, productId: 0xf012, board: 'Pysense', certainty: 'documented' },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xf011, board: 'Pysense (DFU mode)', certainty: 'documented', isDfuMode: true },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xf013, board: 'Pytrack', certainty: 'documented' },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xf014, board: 'Pytrack (DFU mode)', certainty: 'documented', isDfuMode: true },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xef38, board: 'Pyscan', certainty: 'documented' },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xef37, board: 'Pyscan (DFU mode)', certainty: 'documented', isDfuMode: true },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xef98, board: 'Expansion Board 3.x', certainty: 'documented' },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xef99, board: 'Expansion Board 3.x (DFU mode)', certainty: 'documented', isDfuMode: true },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xed14, board: 'Pygate', certainty: 'documented' },
  { vendorId: PYCOM_VENDOR_ID, productId: 0xed15, board: 'Pygate (DFU mode)', certainty: 'documented', isDfuMode: true },
];

/**
 * Generic USB-UART bridges. Forum reports show the Expansion Board 2 enumerating as an
 * FTDI serial converter; which FTDI part (FT232R 0x6001 or an FT-X 0x6015) is not
 * confirmed, so both are listed. The Silicon Labs CP210x entry covers boards wired to a
 * CP2102/CP2104 adapter (and, unconfirmed, some later Pycom shields).
 */
const BRIDGE_IDS: readonly UsbBoardId[] = [
  { vendorId: 0x0403, productId: 0x6015, board: 'Expansion Board 2 (FTDI)', certainty: 'possible' },
  { vendorId: 0x0403, productId: 0x6001, board: 'Expansion Board 2 (FTDI)', certainty: 'possible' },
  { vendorId: 0x10c4, productId: 0xea60, board: 'CP210x USB-UART', certainty: 'possible' },
];

export const KNOWN_USB_IDS: readonly UsbBoardId[] = [...PYCOM_BOARD_IDS, ...BRIDGE_IDS];

/** Parses a USB id as serialport and sysfs spell it ("04d8", "0x04D8", "04D8"). */
export function parseUsbId(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const trimmed = text.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,4}$/i.test(trimmed)) return undefined;
  return Number.parseInt(trimmed, 16);
}

/** Four lowercase hex digits, the spelling serialport uses. */
export function formatUsbId(id: number): string {
  return id.toString(16).padStart(4, '0');
}

export function lookupUsbId(vendorId: string | undefined, productId: string | undefined): UsbBoardId | undefined {
  const vid = parseUsbId(vendorId);
  const pid = parseUsbId(productId);
  if (vid === undefined || pid === undefined) return undefined;
  return KNOWN_USB_IDS.find((id) => id.vendorId === vid && id.productId === pid);
}

/** Text that names Pycom (a manufacturer string, a /dev/serial/by-id name). */
export function mentionsPycom(text: string | undefined): boolean {
  return !!text && /pycom|pysense|pytrack|pyscan|pygate/i.test(text);
}
