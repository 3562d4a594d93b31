/**
 * What a device line means (reference §2.4, §2.7, §3). A table, so that adding a result code is a
 * one-line change.
 */
export type LineKind =
  /** Ends a command successfully. */
  | 'final-success'
  /** Ends a command with a failure. */
  | 'final-failure'
  /** Input rejected because a command was still running (or surplus payload bytes). */
  | 'busy'
  /** `ERR CODE:0x...`, the optional annotation of the next ERROR or busy (AT+SYSLOG=1). */
  | 'err-code'
  /** The boot banner: the device (re)started. */
  | 'ready'
  /** An unsolicited result code, printed by another task at any time. */
  | 'urc'
  /** Anything else: information lines of a response (`+CWMODE:1`), echo of unknown origin, noise. */
  | 'info'

const EXACT: Record<string, LineKind> = {
  OK: 'final-success',
  'SEND OK': 'final-success',
  ERROR: 'final-failure',
  'SEND FAIL': 'final-failure',
  'SEND Canceled': 'final-failure',
  'busy p...': 'busy',
  'busy s...': 'busy',
  ready: 'ready',
  'WIFI CONNECTED': 'urc',
  'WIFI GOT IP': 'urc',
  'WIFI GOT IPv6 LL': 'urc',
  'WIFI GOT IPv6 GL': 'urc',
  'WIFI DISCONNECT': 'urc',
  '+TIME_UPDATED': 'urc',
  'Will force to restart!!!': 'urc',
}

const PATTERNS: [RegExp, LineKind][] = [
  [/^ERR CODE:0x[0-9a-fA-F]{8}$/, 'err-code'],
  [/^\+WS_(?:CONNECTED|DISCONNECTED|CLOSED):\d+$/, 'urc'],
]

export function lineKind(text: string): LineKind {
  const exact = EXACT[text]
  if (exact) return exact
  for (const [pattern, kind] of PATTERNS) if (pattern.test(text)) return kind
  return 'info'
}

export function isFinal(kind: LineKind): boolean {
  return kind === 'final-success' || kind === 'final-failure'
}
