/**
 * What a device line means (reference §2.4, §2.7, §3, and the TCP/IP, MQTT and Wi-Fi pages for
 * their messages). Tables, so that a new result code or message is one entry.
 */
import type { FramedKind } from './framed-records.ts'

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
  /** An unsolicited result code, printed by another task at any time, also inside another command's response. */
  | 'urc'
  /** Anything else: information lines of a response (`+CWMODE:1`), echo of unknown origin, noise. */
  | 'info'

/** Final results and the like, by their exact text. */
const RESULTS: Record<string, LineKind> = {
  OK: 'final-success',
  'SEND OK': 'final-success',
  /** AT+HTTPURLCFG's data phase. */
  'SET OK': 'final-success',
  /** AT+MQTTPUBRAW's data phase. */
  '+MQTTPUB:OK': 'final-success',
  ERROR: 'final-failure',
  'SEND FAIL': 'final-failure',
  /** AT+CIPSEND ended by `+++`. */
  'SEND Canceled': 'final-failure',
  /** AT+CIPSENDL ended by AT+CIPSENDL's stop. */
  'SEND CANCELLED': 'final-failure',
  '+MQTTPUB:FAIL': 'final-failure',
  'busy p...': 'busy',
  'busy s...': 'busy',
  ready: 'ready',
}

/**
 * A link that an unsolicited message says is gone: an expectation on that link's data cannot be
 * met any more. `link` is the capture group holding the link number (none: the single link).
 */
export interface LinkLoss {
  kind: Extract<FramedKind, 'ws' | 'ipd' | 'mqtt'>
  link?: number
}

interface Unsolicited {
  pattern: RegExp
  /** The message says a link is gone: which kind, and which capture group holds its number. */
  loses?: { kind: LinkLoss['kind']; group?: number }
}

/** The unsolicited messages: they go to the inbox whenever they come, and no command's response takes them. */
const UNSOLICITED: readonly Unsolicited[] = [
  { pattern: /^WIFI (?:CONNECTED|GOT IP|GOT IPv6 LL|GOT IPv6 GL|DISCONNECT)$/ },
  { pattern: /^\+TIME_UPDATED$/ },
  { pattern: /^Will force to restart!!!$/ },
  { pattern: /^\+WS_CONNECTED:\d+$/ },
  { pattern: /^\+WS_(?:DISCONNECTED|CLOSED):(\d+)$/, loses: { kind: 'ws', group: 1 } },
  // Sockets (TCP-IP_AT_Commands.rst, index.rst): with AT+CIPMUX=1 the link comes first.
  { pattern: /^(?:\d+,)?CONNECT$/ },
  { pattern: /^CONNECT FAIL$/ },
  { pattern: /^(\d+),CLOSED$/, loses: { kind: 'ipd', group: 1 } },
  { pattern: /^CLOSED$/, loses: { kind: 'ipd' } },
  { pattern: /^\+LINK_CONN:/ },
  // The passive-mode notice: data is waiting to be read with AT+CIPRECVDATA.
  { pattern: /^\+IPD,\d+(?:,\d+)?$/ },
  { pattern: /^\+QUITT$/ },
  // MQTT_AT_Commands.rst.
  { pattern: /^\+MQTTCONNECTED:/ },
  { pattern: /^\+MQTTDISCONNECTED:(\d+)$/, loses: { kind: 'mqtt', group: 1 } },
  // SoftAP stations.
  { pattern: /^\+(?:STA_CONNECTED|STA_DISCONNECTED|DIST_STA_IP):/ },
]

const ERR_CODE = /^ERR CODE:0x[0-9a-fA-F]{8}$/

/** The line as the firmware meant it: a result with a trailing space (seen in a posted log) is that result. */
export function withoutTrailingSpace(text: string): string {
  return text.replace(/[ \t]+$/, '')
}

export function lineKind(text: string): LineKind {
  const t = withoutTrailingSpace(text)
  const result = RESULTS[t]
  if (result) return result
  if (ERR_CODE.test(t)) return 'err-code'
  for (const u of UNSOLICITED) if (u.pattern.test(t)) return 'urc'
  return 'info'
}

/** The link a message says is gone, if it says so. */
export function linkLoss(text: string): LinkLoss | undefined {
  const t = withoutTrailingSpace(text)
  for (const u of UNSOLICITED) {
    if (!u.loses) continue
    const m = u.pattern.exec(t)
    if (m) return { kind: u.loses.kind, ...(u.loses.group !== undefined ? { link: Number(m[u.loses.group]) } : {}) }
  }
  return undefined
}

export function isFinal(kind: LineKind): boolean {
  return kind === 'final-success' || kind === 'final-failure'
}
