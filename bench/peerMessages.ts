/** What bench/stpTransfer.ts and its modem process (bench/modemPeer.ts) say over IPC. */
export type PeerMessage = { kind: 'ready' } | { kind: 'start' } | { kind: 'started' } | { kind: 'report' } | { kind: 'stop' };

/** Per request, in order, on the machine-wide monotonic clock (ms). */
export interface PeerReport {
  kind: 'report';
  /** The first bytes of the request reached the modem process. */
  requestStartMs: number[];
  /** Its last byte has crossed the simulated line (the UART's line clock, replayed). */
  requestDoneMs: number[];
  /** The reply was handed to the OS (paced: once its bytes had crossed the line). */
  replyMs: number[];
  /** Its size: paced, its own line time is part of the wait before replyMs. */
  replyBytes: number[];
  /** Bytes the modem stored in the last STP session. */
  storedBytes: number;
}
