/**
 * Where ports come from, and what each kind can do. Product code asks a capability
 * ("can the tool power-cycle this board?"), never which kind of port it is; only the
 * composition root (coreLoader.ts) picks the opener by provider.
 */
export interface PortCapabilities {
  /** The board lives on the simulator's clock: the engine's waits shrink with its speed-up. */
  hasSimulatedClock: boolean;
  /** The tool can power-cycle the board itself (a real board needs unplugging by hand). */
  canPowerCycle: boolean;
  /** The OS lists the port (USB enumeration), so its coming and going can be watched. */
  isListedByOs: boolean;
  /** Shown to the user as a simulated board. */
  isSimulated: boolean;
}

export interface PortProvider {
  readonly id: 'serial' | 'simulated';
  owns(portPath: string): boolean;
  readonly capabilities: PortCapabilities;
}

/** The simulated GPy's port path; the picker offers it next to the real ports. */
export const SIMULATED_PORT_PATH = 'sim:GPy';

export const SIMULATED_PORTS: PortProvider = {
  id: 'simulated',
  owns: (portPath) => portPath.startsWith('sim:'),
  capabilities: { hasSimulatedClock: true, canPowerCycle: true, isListedByOs: false, isSimulated: true },
};

/** Everything else: an OS serial port, a socat pty, an RFC 2217 bridge a user typed. */
export const SERIAL_PORTS: PortProvider = {
  id: 'serial',
  owns: () => true,
  capabilities: { hasSimulatedClock: false, canPowerCycle: false, isListedByOs: true, isSimulated: false },
};

const PROVIDERS: readonly PortProvider[] = [SIMULATED_PORTS, SERIAL_PORTS];

export function providerFor(portPath: string): PortProvider {
  return PROVIDERS.find((provider) => provider.owns(portPath)) ?? SERIAL_PORTS;
}

export function portCapabilities(portPath: string): PortCapabilities {
  return providerFor(portPath).capabilities;
}
