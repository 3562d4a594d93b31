/**
 * The length-framed records of ESP-AT: a header at the start of a line that announces how many
 * bytes of data follow, which are read by that count (they may hold CR, LF, NUL, `>`...). One table:
 * a new firmware record is one entry here. Sources: the AT command set pages of espressif/esp-at
 * (index.rst for +IPD, TCP-IP, MQTT, HTTP and WebSocket pages) and the firmware's own format strings.
 *
 * After the data a CR LF may follow (the firmware appends one to +IPD, +MQTTSUBRECV, +HTTPCLIENT and
 * +WS_DATA; +CIPRECVDATA is followed by `\r\nOK\r\n`; old firmware and the docs show none): the
 * framer takes one CR LF after the data if it comes, which is harmless either way, since blank lines
 * carry nothing.
 */

export type FramedKind = 'ipd' | 'recv' | 'mqtt' | 'http' | 'ws'

/** What a header says. */
export interface FramedHeader {
  /** The record as printed up to its data: `+IPD,0,4:`, `+MQTTSUBRECV:0,"topic",5,`. */
  text: string
  length: number
  /** The link (+IPD with CIPMUX=1, +WS_DATA, +MQTTSUBRECV's LinkID). */
  link?: number
  /** +MQTTSUBRECV's topic. */
  topic?: string
  /** +IPD / +CIPRECVDATA with AT+CIPDINFO=1. */
  remote?: { ip: string; port: number }
}

export type HeaderParse =
  /** Not complete yet: go on reading header bytes (`askNext`: decide again at the very next byte). */
  | { status: 'more'; askNext?: boolean }
  /** Not a framed record after all: the bytes so far are an ordinary line (`+IPD,0,100`, the passive notice). */
  | { status: 'line' }
  /**
   * A framed record: `header` says what it is; its data starts at `dataStart` in the header bytes
   * read so far (normally their end; earlier when a lookahead proved to be data).
   */
  | { status: 'data'; header: FramedHeader; dataStart: number }

export interface FramedRecordSpec {
  kind: FramedKind
  /** How the record starts, at the beginning of a line. */
  prefix: string
  /** Printed by the device whenever it happens (received data), not as part of a command's response. */
  unsolicited: boolean
  /**
   * Bytes a header may hold after its prefix (none given: all but CR and LF); any other byte ends
   * the header and `parse` decides what it was (`ended`).
   */
  headerBytes?: string
  /** After one of these bytes the header may be complete: `parse` is asked. */
  decisionBytes: string
  /** The header bytes so far (prefix included), as latin1 text. */
  parse(header: string, ended: boolean): HeaderParse
}

/** The most data one record may announce; a larger number is not a record (a real device sends at most a few KiB). */
export const MAX_FRAMED_LENGTH = 1024 * 1024
/** A header longer than this is a line (a +MQTTSUBRECV topic is at most 128 bytes). */
export const MAX_HEADER_LENGTH = 320

const DIGITS = '0123456789'
const ADDRESS = `${DIGITS},".:abcdefABCDEF[]`

const MORE: HeaderParse = { status: 'more' }
const LINE: HeaderParse = { status: 'line' }

function data(header: string, length: string, fields: Omit<FramedHeader, 'text' | 'length'> = {}, dataStart = header.length): HeaderParse {
  const n = Number(length)
  if (!Number.isSafeInteger(n) || n > MAX_FRAMED_LENGTH) return LINE
  // Links are single digits on every firmware (0-4 sockets, 0-2 WebSocket links); a long number is no header.
  if (fields.link !== undefined && fields.link > 99) return LINE
  // One shape for every header, whatever its fields: the framer makes one per record.
  return { status: 'data', header: { text: header.slice(0, dataStart), length: n, link: fields.link, topic: fields.topic, remote: fields.remote }, dataStart }
}

const remote = (ip: string, port: string) => ({ ip, port: Number(port) })

/** `+IPD,<len>:`, `+IPD,<link>,<len>:`, and with AT+CIPDINFO=1 `,"<ip>",<port>` before the `:`; `+IPD,<len>` alone is the passive-mode notice, a line. */
const ipd: FramedRecordSpec = {
  kind: 'ipd',
  prefix: '+IPD,',
  unsolicited: true,
  headerBytes: ADDRESS,
  decisionBytes: ':',
  parse(h, ended) {
    if (ended) return LINE
    let m = /^\+IPD,(\d+):$/.exec(h)
    if (m) return data(h, m[1]!)
    m = /^\+IPD,(\d+),(\d+):$/.exec(h)
    if (m) return data(h, m[2]!, { link: Number(m[1]) })
    m = /^\+IPD,(\d+),"([^"]*)",(\d+):$/.exec(h)
    if (m) return data(h, m[1]!, { remote: remote(m[2]!, m[3]!) })
    m = /^\+IPD,(\d+),(\d+),"([^"]*)",(\d+):$/.exec(h)
    if (m) return data(h, m[2]!, { link: Number(m[1]), remote: remote(m[3]!, m[4]!) })
    // A `:` inside the quoted address (IPv6) is not the end yet.
    return (h.split('"').length - 1) % 2 === 1 ? MORE : LINE
  },
}

/**
 * `+CIPRECVDATA:<len>,<data>`, and with AT+CIPDINFO=1 `+CIPRECVDATA:<len>,"<ip>",<port>,<data>`: after
 * the first comma a `"` may start the address or the data; the address is taken only when it is one.
 */
const ciprecvdata: FramedRecordSpec = {
  kind: 'recv',
  prefix: '+CIPRECVDATA:',
  unsolicited: false,
  headerBytes: ADDRESS,
  decisionBytes: ',',
  parse(h, ended) {
    const m = /^\+CIPRECVDATA:(\d+),/.exec(h)
    if (!m) return ended ? LINE : MORE
    const afterLength = m[0].length
    const rest = h.slice(afterLength)
    if (rest === '') return ended ? LINE : { status: 'more', askNext: true }
    // Anything but a quote right after the length: that byte is the first of the data.
    if (!rest.startsWith('"')) return data(h, m[1]!, {}, afterLength)
    const r = /^"([0-9a-fA-F.:[\]]*)",(\d+),$/.exec(rest)
    if (r) return data(h, m[1]!, { remote: remote(r[1]!, r[2]!) })
    // Still a possible address: read on; else what came after the length was data.
    if (!ended && /^"[0-9a-fA-F.:[\]]*("(,\d*)?)?$/.test(rest) && rest.length < 64) return MORE
    return data(h, m[1]!, {}, afterLength)
  },
}

/** `+MQTTSUBRECV:<LinkID>,"<topic>",<len>,<data>`; a long message comes in several records, each with the topic. */
const mqtt: FramedRecordSpec = {
  kind: 'mqtt',
  prefix: '+MQTTSUBRECV:',
  unsolicited: true,
  decisionBytes: ',',
  parse(h, ended) {
    if (ended) return LINE
    // The firmware does not escape a `"` in the topic: the first `",<len>,` after the opening quote ends it.
    const m = /^\+MQTTSUBRECV:(\d+),"(.*?)",(\d+),$/s.exec(h)
    if (m) return data(h, m[3]!, { link: Number(m[1]), topic: m[2]! })
    return /^\+MQTTSUBRECV:(\d+(,("[^\r\n]*)?)?)?$/.test(h) ? MORE : LINE
  },
}

/** `+HTTPCLIENT:<size>,<data>` and the other HTTP commands' records of the same shape. */
function httpRecord(name: string): FramedRecordSpec {
  const re = new RegExp(`^\\+${name}:(\\d+),$`)
  return {
    kind: 'http',
    prefix: `+${name}:`,
    unsolicited: false,
    headerBytes: `${DIGITS},`,
    decisionBytes: ',',
    parse(h, ended) {
      if (ended) return LINE
      const m = re.exec(h)
      return m ? data(h, m[1]!) : LINE
    },
  }
}

/** `+WS_DATA:<link>,<len>,<data>` (reference §7.8). */
const ws: FramedRecordSpec = {
  kind: 'ws',
  prefix: '+WS_DATA:',
  unsolicited: true,
  headerBytes: `${DIGITS},`,
  decisionBytes: ',',
  parse(h, ended) {
    if (ended) return LINE
    const m = /^\+WS_DATA:(\d+),(\d+),$/.exec(h)
    if (m) return data(h, m[2]!, { link: Number(m[1]) })
    return /^\+WS_DATA:\d+,$/.test(h) ? MORE : LINE
  },
}

export const FRAMED_RECORDS: readonly FramedRecordSpec[] = [
  ipd,
  ciprecvdata,
  mqtt,
  httpRecord('HTTPCLIENT'),
  httpRecord('HTTPCGET'),
  httpRecord('HTTPCPOST'),
  httpRecord('HTTPCPUT'),
  httpRecord('HTTPURLCFG'),
  ws,
]
