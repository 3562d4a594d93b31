import type { EntryKind, InboxEntry } from './inbox.ts'
import { lineKind, linkLoss } from './line-kinds.ts'
import type { Matcher } from './matchers.ts'

/**
 * - `command`: a command was written; its response ends with a final result (or the `>` prompt).
 * - `payload`: raw bytes were written at the prompt; the response ends with a final result.
 * - `wait`: nothing was written; only the expectations count.
 */
export type ExchangeMode = 'command' | 'payload' | 'wait'

export type ExchangeFailure =
  /** A final result the expectations do not name: ERROR, SEND FAIL, busy p... */
  | { reason: 'unexpected-result'; entry: InboxEntry; errCode?: string }
  /** `ready` arrived: the device restarted in the middle of the step. */
  | { reason: 'rebooted'; entry: InboxEntry }
  /** A line that `absent:` forbids arrived. */
  | { reason: 'unwanted'; entry: InboxEntry; matcher: Matcher }
  /** A link that an expectation needs was lost (`+WS_DISCONNECTED:n`, `n,CLOSED`, `+MQTTDISCONNECTED:n`). */
  | { reason: 'link-lost'; entry: InboxEntry; link?: number }

export type ExchangeStatus = 'pending' | 'passed' | 'failed'

export interface ExchangeOptions {
  mode: ExchangeMode
  matchers: Matcher[]
  /** The first seq that belongs to this step (written after, or arrived after, the step began). */
  startSeq: number
  /**
   * The device has not answered anything yet in this session: a `ready` before its first answer is
   * its start-up banner (a board that resets when the port opens), not a reboot.
   */
  bootBannerExpected?: boolean
  /** For `wait`: only entries from startSeq on count (after a reset, an old `ready` must not). */
  freshOnly?: boolean
  /** Lines that must not arrive during the step (`absent:`): one that does fails it. */
  forbidden?: Matcher[]
  /**
   * The name of the command sent (`+CWMODE` for `AT+CWMODE?`): its information lines come before
   * its final result, so an expected one still missing after the result will not come.
   */
  commandName?: string
}

/** What answers input: after one of these, an earlier `ERR CODE:` annotates nothing more. */
const ANSWERS: ReadonlySet<EntryKind> = new Set<EntryKind>(['final-success', 'final-failure', 'busy', 'prompt'])

/**
 * Matches one step's expectations against received records, in order, with other records allowed
 * in between. Pure: the session feeds it entries and a clock decides about timeouts.
 */
export class Exchange {
  readonly mode: ExchangeMode
  readonly matchers: Matcher[]
  readonly startSeq: number
  status: ExchangeStatus = 'pending'
  failure?: ExchangeFailure
  /** How many expectations are met so far. */
  matched = 0
  /** Whether the device has finished answering the command (final result or prompt). */
  finished: boolean
  /** The entries this step takes out of the inbox. */
  readonly consumed = new Set<number>()
  readonly captures: Record<string, string> = {}
  /** Entries for which an expectation was met, in order (for reports). */
  readonly matches: { matcher: Matcher; entry: InboxEntry }[] = []
  /** What the matching noticed and the user should know (a result with a trailing space). */
  readonly notes: string[] = []
  /** The last `ERR CODE:` since the last final result or busy: it annotates the next one. */
  private errCode: string | undefined
  /** The entry that ended the command, once it has. */
  private finishedBy: InboxEntry | undefined
  private bootBannerExpected: boolean
  private readonly commandName: string | undefined
  private readonly forbidden: Matcher[]
  readonly freshOnly: boolean

  constructor(options: ExchangeOptions) {
    this.mode = options.mode
    this.matchers = options.matchers
    this.startSeq = options.startSeq
    this.finished = options.mode === 'wait'
    this.bootBannerExpected = options.bootBannerExpected ?? false
    this.commandName = options.commandName
    this.freshOnly = options.freshOnly ?? false
    this.forbidden = options.forbidden ?? []
    for (const matcher of this.forbidden) matcher.reset()
    // A matcher may be reused (a retried step): progress from an earlier exchange does not count.
    for (const matcher of this.matchers) matcher.reset()
    this.settle()
  }

  /**
   * Before `offer`: a promise when the expectation in turn needs time to answer for this entry
   * (see `Matcher.prepare`); the entry is offered once it resolves. Undefined: offer it now.
   */
  prepare(entry: InboxEntry): Promise<void> | undefined {
    if (this.status !== 'pending' || !this.sees(entry)) return undefined
    // What `absent:` forbids is asked about the step's own entries too, before the expectation.
    const own = entry.seq >= this.startSeq
    const pending = [...(own ? this.forbidden : []), ...(this.matchers[this.matched] ? [this.matchers[this.matched]!] : [])]
      .map((m) => m.prepare?.(entry))
      .filter((p): p is Promise<void> => p !== undefined)
    if (pending.length === 0) return undefined
    return pending.length === 1 ? pending[0] : Promise.all(pending).then(() => undefined)
  }

  /** The step is over: whatever an expectation still works on is dropped. */
  cancel(): void {
    for (const m of [...this.matchers, ...this.forbidden]) m.cancel?.()
  }

  private sees(entry: InboxEntry): boolean {
    return entry.seq >= this.startSeq || (this.mode === 'wait' && !this.freshOnly)
  }

  offer(entry: InboxEntry): void {
    if (this.status !== 'pending') return
    const own = entry.seq >= this.startSeq
    if (!this.sees(entry)) return
    if (own && this.forbidden.length > 0) {
      const unwanted = this.forbidden.find((m) => m.offer(entry).kind === 'match')
      if (unwanted) {
        this.fail({ reason: 'unwanted', entry, matcher: unwanted })
        return
      }
    }
    const matcher = this.matchers[this.matched]
    if (matcher) {
      const outcome = matcher.offer(entry)
      // The first chunks of a `+WS_DATA` message: the matcher keeps them until the message is whole
      // (or proves different); they stay in the inbox unless the match completes.
      if (outcome.kind === 'partial') return
      if (outcome.kind === 'match') {
        for (const seq of outcome.seqs ?? [entry.seq]) this.consumed.add(seq)
        Object.assign(this.captures, outcome.captures)
        if (outcome.note) this.notes.push(outcome.note)
        this.matches.push({ matcher, entry })
        this.matched++
        if (ANSWERS.has(entry.kind)) this.errCode = undefined
        if (this.mode !== 'wait' && this.ends(entry, this.matched === this.matchers.length)) this.finish(entry)
        this.settle()
        return
      }
    }
    if (own) this.unmatched(entry)
    if (own && ANSWERS.has(entry.kind)) this.bootBannerExpected = false
    this.settle()
  }

  /**
   * Whether a named entry ends the command: a final result, the prompt, or (for a command only) the
   * `busy p...` that rejected it. After a payload, `busy p...` answers surplus bytes and the final
   * result still follows (reference §5). A failure or busy that the expectations name with more
   * after it does not end the step: the device goes on (`busy p...` while a sub-command ran, then the
   * real answer; the late ERROR of the previous command, then this one's OK). Old firmware prints
   * `ERR CODE:` with no ERROR after it: named last, it ends the command.
   */
  private ends(entry: InboxEntry, last: boolean): boolean {
    switch (entry.kind) {
      case 'final-success':
      case 'prompt':
        return true
      case 'final-failure':
        return last
      case 'busy':
        return this.mode === 'command' && last
      case 'err-code':
        return last
      default:
        return false
    }
  }

  /** An entry that the current expectation did not take. */
  private unmatched(entry: InboxEntry): void {
    if (entry.kind === 'ready') {
      // The start-up banner is taken out of the inbox, so later steps do not keep seeing it.
      if (this.bootBannerExpected) this.consumed.add(entry.seq)
      else this.fail({ reason: 'rebooted', entry })
      return
    }
    const lost = entry.kind === 'urc' ? linkLoss(entry.text) : undefined
    if (lost && this.matchers.slice(this.matched).some((m) => m.links.some((l) => l.kind === lost.kind && l.link === lost.link))) {
      this.fail({ reason: 'link-lost', entry, ...(lost.link !== undefined ? { link: lost.link } : {}) })
      return
    }
    if (this.mode === 'wait') return
    switch (entry.kind) {
      case 'err-code':
        this.errCode = entry.text.slice('ERR CODE:'.length)
        this.consumed.add(entry.seq)
        return
      case 'final-failure':
      case 'busy':
        this.consumed.add(entry.seq)
        this.fail({ reason: 'unexpected-result', entry, ...(this.errCode ? { errCode: this.errCode } : {}) })
        return
      case 'prompt':
        // The `>` a payload waits for before it is written: not an answer to the payload.
        if (this.mode === 'payload') {
          this.consumed.add(entry.seq)
          return
        }
        this.errCode = undefined
        if (!this.finished) {
          this.finish(entry)
          this.consumed.add(entry.seq)
        }
        return
      case 'final-success':
        this.errCode = undefined
        if (!this.finished) {
          this.finish(entry)
          this.consumed.add(entry.seq)
        }
        return
      case 'echo':
        this.consumed.add(entry.seq)
        return
      case 'info':
        // Part of this command's response when it comes before the final result.
        if (!this.finished) this.consumed.add(entry.seq)
        return
      case 'data':
        // A response's records (+CIPRECVDATA, +HTTPCLIENT) belong to it; received data stays for a `wait`.
        if (entry.record.kind === 'data' && !entry.record.unsolicited && !this.finished) this.consumed.add(entry.seq)
        return
      default:
        // URCs stay in the inbox for a later `wait`.
        return
    }
  }

  private fail(failure: ExchangeFailure): void {
    this.status = 'failed'
    this.failure = failure
  }

  private finish(entry: InboxEntry): void {
    this.finished = true
    this.finishedBy = entry
  }

  private settle(): void {
    if (this.status !== 'pending' || !this.finished) return
    if (this.matched === this.matchers.length) {
      this.status = 'passed'
      return
    }
    // The command has ended; an expected final result (ERROR where OK came) cannot come any more.
    // URCs still can, so only result lines fail the step at once.
    const by = this.finishedBy
    // `\r\nOK\r\n\r\n>`: after that OK the prompt still comes, and the verdict waits for it.
    if (by?.text === 'OK' && this.matchers[this.matched]?.line === '>') return
    const rest = this.matchers.slice(this.matched)
    if (by && rest.some((m) => (m.line !== undefined && isResultLine(m.line)) || this.isOwnInformation(m))) {
      this.fail({ reason: 'unexpected-result', entry: by, ...(this.errCode ? { errCode: this.errCode } : {}) })
    }
  }

  /** Whether an expectation is an information line of the command sent (`+CWMODE:1`, `/^\+CWMODE:/`). */
  private isOwnInformation(m: Matcher): boolean {
    if (!this.commandName || this.mode !== 'command') return false
    const literal = m.line ?? m.pattern?.replace(/^\^/, '').replace(/\\(.)/g, '$1')
    return literal !== undefined && literal.startsWith(`${this.commandName}:`)
  }

  /** The expectation still waited for, if any. */
  get waitingFor(): Matcher | undefined {
    return this.matchers[this.matched]
  }
}

function isResultLine(text: string): boolean {
  const kind = lineKind(text)
  return kind === 'final-success' || kind === 'final-failure' || kind === 'busy'
}
