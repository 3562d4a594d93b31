/**
 * The telnet layer under RFC 2217: data with 0xFF doubled, option negotiation (WILL/WONT/DO/DONT)
 * and subnegotiations (SB ... SE). Pure: bytes in, events out, independent of chunking.
 */

export const IAC = 0xff
export const DONT = 0xfe
export const DO = 0xfd
export const WONT = 0xfc
export const WILL = 0xfb
export const SB = 0xfa
export const SE = 0xf0

export const OPTION_BINARY = 0
export const OPTION_SGA = 3
export const OPTION_COM_PORT = 44

export type TelnetEvent =
  | { kind: 'data'; bytes: Uint8Array }
  | { kind: 'negotiation'; verb: typeof DO | typeof DONT | typeof WILL | typeof WONT; option: number }
  | { kind: 'subnegotiation'; option: number; payload: Uint8Array }
  /** Other telnet commands (NOP, AYT, ...): ignored by a serial client. */
  | { kind: 'command'; code: number }

const enum State {
  Data,
  Iac,
  Verb,
  Sb,
  SbIac,
}

/** Doubles every 0xFF so that data never reads as a telnet command. */
export function escapeData(bytes: Uint8Array): Uint8Array {
  const count = bytes.reduce((n, b) => n + (b === IAC ? 1 : 0), 0)
  if (count === 0) return bytes
  const out = new Uint8Array(bytes.length + count)
  let j = 0
  for (const b of bytes) {
    out[j++] = b
    if (b === IAC) out[j++] = IAC
  }
  return out
}

export function negotiation(verb: number, option: number): Uint8Array {
  return Uint8Array.of(IAC, verb, option)
}

/** `IAC SB option payload IAC SE`, with 0xFF in the payload doubled. */
export function subnegotiation(option: number, payload: Uint8Array): Uint8Array {
  const body = escapeData(payload)
  const out = new Uint8Array(body.length + 5)
  out.set([IAC, SB, option], 0)
  out.set(body, 3)
  out.set([IAC, SE], body.length + 3)
  return out
}

export class TelnetDecoder {
  private state = State.Data
  private verb = 0
  private sb: number[] = []

  push(chunk: Uint8Array): TelnetEvent[] {
    const events: TelnetEvent[] = []
    // Data out is never longer than the chunk in, so one buffer holds it; runs between IACs are
    // copied whole rather than byte by byte, which is what a serial stream almost always is.
    const data = new Uint8Array(chunk.length)
    let start = 0
    let end = 0
    const flush = () => {
      if (end > start) events.push({ kind: 'data', bytes: data.subarray(start, end) })
      start = end
    }
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!
      switch (this.state) {
        case State.Data: {
          const next = indexOfIac(chunk, i)
          data.set(chunk.subarray(i, next), end)
          end += next - i
          i = next
          if (i < chunk.length) this.state = State.Iac
          break
        }
        case State.Iac:
          if (b === IAC) {
            data[end++] = IAC
            this.state = State.Data
          } else if (b === DO || b === DONT || b === WILL || b === WONT) {
            this.verb = b
            this.state = State.Verb
          } else if (b === SB) {
            this.sb = []
            this.state = State.Sb
          } else {
            flush()
            events.push({ kind: 'command', code: b })
            this.state = State.Data
          }
          break
        case State.Verb:
          flush()
          events.push({ kind: 'negotiation', verb: this.verb as typeof DO, option: b })
          this.state = State.Data
          break
        case State.Sb:
          if (b === IAC) this.state = State.SbIac
          else this.sb.push(b)
          break
        case State.SbIac:
          if (b === IAC) {
            this.sb.push(IAC)
            this.state = State.Sb
          } else if (b === SE) {
            flush()
            const [option = 0, ...payload] = this.sb
            events.push({ kind: 'subnegotiation', option, payload: Uint8Array.from(payload) })
            this.state = State.Data
          } else {
            // A command inside a subnegotiation is a protocol error; keep the byte and carry on.
            this.sb.push(b)
            this.state = State.Sb
          }
          break
      }
    }
    flush()
    return events
  }
}

function indexOfIac(chunk: Uint8Array, from: number): number {
  const at = chunk.indexOf(IAC, from)
  return at === -1 ? chunk.length : at
}
