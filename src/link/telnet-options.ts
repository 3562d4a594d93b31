import { DO, DONT, negotiation, OPTION_BINARY, OPTION_SGA, WILL, WONT } from './telnet-codec.ts'

/**
 * `refused`: an option we do not want, refused once (a repeated offer gets no second answer), or one
 * we asked for and the server refused (not asked again).
 */
type State = 'no' | 'yes' | 'asked' | 'refused'

/**
 * Telnet option negotiation for a serial console (RFC 854/855, with RFC 1143's rule against loops
 * in a simple form): BINARY and SUPPRESS-GO-AHEAD are wanted both ways, everything else (ECHO,
 * terminal type, window size, COM-PORT...) is refused, once per offer and without an answer to a
 * refusal of what was never on. Pure: verbs in, the bytes to send back out.
 */
export class TelnetOptions {
  /** Options we perform (our WILL/WONT) and options the server performs (our DO/DONT). */
  private readonly ours = new Map<number, State>()
  private readonly theirs = new Map<number, State>()
  private readonly wanted: ReadonlySet<number>

  constructor(wanted: readonly number[] = [OPTION_BINARY, OPTION_SGA]) {
    this.wanted = new Set(wanted)
  }

  /** What a client that wants 8-bit data sends first: WILL and DO for each wanted option. */
  request(): Uint8Array[] {
    const out: Uint8Array[] = []
    for (const option of this.wanted) {
      if ((this.ours.get(option) ?? 'no') === 'no') {
        this.ours.set(option, 'asked')
        out.push(negotiation(WILL, option))
      }
      if ((this.theirs.get(option) ?? 'no') === 'no') {
        this.theirs.set(option, 'asked')
        out.push(negotiation(DO, option))
      }
    }
    return out
  }

  /** The answer to the server's `verb option`, if one is due. */
  receive(verb: number, option: number): Uint8Array | undefined {
    const wanted = this.wanted.has(option)
    if (verb === DO || verb === DONT) return this.answer(this.ours, verb === DO, wanted, option, WILL, WONT)
    if (verb === WILL || verb === WONT) return this.answer(this.theirs, verb === WILL, wanted, option, DO, DONT)
    return undefined
  }

  /** True once the server agreed to `option` in both directions. */
  agreed(option: number): boolean {
    return this.ours.get(option) === 'yes' && this.theirs.get(option) === 'yes'
  }

  /** True for a direction of `option` still waiting for the server's answer to our request. */
  pending(option: number): boolean {
    return this.ours.get(option) === 'asked' || this.theirs.get(option) === 'asked'
  }

  /** We send 8-bit data as it is (binary agreed for our side); else NVT rules apply (CR NUL). */
  get binaryOut(): boolean {
    return this.ours.get(OPTION_BINARY) === 'yes'
  }

  get binaryIn(): boolean {
    return this.theirs.get(OPTION_BINARY) === 'yes'
  }

  private answer(side: Map<number, State>, enable: boolean, wanted: boolean, option: number, yes: number, no: number): Uint8Array | undefined {
    const state = side.get(option) ?? 'no'
    if (enable) {
      if (!wanted) {
        // A refusal said once; the server's repeating the offer is its loop, not ours to feed.
        if (state === 'no') {
          side.set(option, 'refused')
          return negotiation(no, option)
        }
        return undefined
      }
      side.set(option, 'yes')
      // An answer to our own request needs no reply; an offer we had not asked for gets our yes.
      return state === 'asked' || state === 'yes' ? undefined : negotiation(yes, option)
    }
    // A refusal of our request is remembered, so that it is not asked again.
    side.set(option, state === 'asked' ? 'refused' : 'no')
    // The server turns off what was on: acknowledge. A refusal of our request, or of what was never on: silence.
    return state === 'yes' ? negotiation(no, option) : undefined
  }
}
