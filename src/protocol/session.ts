import type { DataRegion } from '../bytes/io-masker.ts'
import type { SecretSpan } from '../bytes/secret-scan.ts'
import { LEAVE_PASSTHROUGH, modeEffect } from './device-modes.ts'
import type { DeviceModes, ModeEffect } from './device-modes.ts'
import type { Exchange } from './exchange.ts'
import { Framer } from './framer.ts'
import type { FrameRecord } from './framer.ts'
import type { InboxEntry } from './inbox.ts'
import { Inbox, toEntry } from './inbox.ts'
import type { EntryKind } from './inbox.ts'

/**
 * The reason a finished exchange or write cancels what still waits on it: one object, since abort()
 * without one builds a DOMException (a stack) per step.
 */
export const FINISHED = Object.freeze({ reason: 'finished' })
const ANSWERS: ReadonlySet<EntryKind> = new Set<EntryKind>(['echo', 'final-success', 'final-failure', 'busy', 'prompt'])

/** The byte stream to a device: a serial port, a TCP connection, or the simulator. */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>
  onData(listener: (bytes: Uint8Array) => void): void
  /** Called once when the link goes away by itself (port unplugged, socket closed). */
  onClose(listener: (error?: Error) => void): void
}

export type RunOutcome =
  | { kind: 'settled' }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'link-closed'; error?: Error }
  /** The write did not complete within the timeout (flow control holding it, a stalled port). */
  | { kind: 'write-stalled' }
  /** The write failed; `error` says why (the caller's own errors come back here too). */
  | { kind: 'write-failed'; error: Error }

export interface SessionEvents {
  /** Every byte written to the device, with where the writer put secrets in it. */
  onWrite?(bytes: Uint8Array, at: number, secrets: readonly SecretSpan[]): void
  /** Every byte received, before its records reach the inbox, with the length-framed contents it carries. */
  onRead?(bytes: Uint8Array, at: number, data: readonly DataRegion[]): void
}

/**
 * An AT conversation over a byte link: frames what the device says, keeps what no step has taken
 * in an inbox, and runs exchanges against it. Event-driven: nothing polls.
 */
export class AtSession {
  private readonly framer = new Framer()
  private readonly inbox = new Inbox()
  private readonly link: ByteLink
  private readonly now: () => number
  private readonly events: SessionEvents
  private nextSeq = 0
  private closed: { error?: Error } | undefined
  /** Who waits for news: the running exchange, and a payload step waiting for its prompt. */
  private readonly waiters = new Set<(why: 'entry' | 'closed') => void>()
  private readonly subscribers = new Set<(entry: InboxEntry) => void>()
  /** Whether the device has answered anything yet (an echo, a result, a prompt). */
  private answered = false
  /** A `>` prompt arrived and nothing has been written since: the device waits for payload bytes. */
  private promptOutstanding = false
  /** Bytes received so far: the stream offset after the last chunk. */
  private rxBytes = 0
  private readonly modes: DeviceModes = { transparent: false }
  /** What the last command does to the modes once the device answers it OK. */
  private pendingEffect: ModeEffect | undefined

  constructor(link: ByteLink, events: SessionEvents = {}, now: () => number = defaultClock()) {
    this.link = link
    this.events = events
    this.now = now
    link.onData((bytes) => this.receive(bytes))
    link.onClose((error) => {
      this.closed = error ? { error } : {}
      for (const record of this.framer.end()) this.add(toEntry(record, this.nextSeq++, this.now()))
      for (const w of this.waiters) w('closed')
    })
  }

  /** The seq the next received record will get: entries from here on arrived after this moment. */
  get mark(): number {
    return this.nextSeq
  }

  /**
   * Writes a command line with its CR LF and expects its echo. `secrets`: where templated secrets lie
   * in the command's UTF-8 bytes (for the outputs; the device gets the real bytes).
   */
  async sendCommand(command: string, secrets: readonly SecretSpan[] = []): Promise<void> {
    this.framer.expectEcho(command)
    const effect = modeEffect(command)
    this.pendingEffect = effect
    if (effect?.onWrite?.(this.modes) === 'passthrough-after-prompt') this.framer.setPassthrough('afterPrompt')
    await this.write(Buffer.from(`${command}\r\n`, 'utf8'), secrets)
  }

  /** The device is in passthrough: what it sends is data as it comes (leave it with `+++`). */
  get inPassthrough(): boolean {
    return this.framer.passthrough
  }

  async write(bytes: Uint8Array, secrets: readonly SecretSpan[] = []): Promise<void> {
    if (this.closed) throw new Error('the link to the device is closed')
    // Whatever is written answers a prompt still waiting in the inbox; no later step should see it.
    if (this.promptOutstanding) {
      this.promptOutstanding = false
      this.inbox.removeKind('prompt')
    }
    // `+++` alone ends passthrough: what the device sends from then on is lines again.
    if (this.framer.passthrough && bytes.length === LEAVE_PASSTHROUGH.length && Buffer.from(bytes).toString('latin1') === LEAVE_PASSTHROUGH) this.framer.setPassthrough('off')
    this.events.onWrite?.(bytes, this.now(), secrets)
    await this.link.write(bytes)
  }

  /**
   * Writes (when `write` is given) and feeds the exchange every entry it may see (for `wait`, the
   * whole inbox; otherwise entries from its start on) and then each new one, until it passes or
   * fails, the time is up, the signal aborts, or the link closes. One timer and one abort listener
   * cover the write and the wait: a write that never completes (flow control) ends at the timeout
   * too. Entries the exchange consumed leave the inbox. With `settleAfterWrite`, what arrives during
   * the write counts, but the exchange ends only once the write did (a lab's reset command runs to its
   * end even when the board says `ready` before it finished).
   */
  async run(exchange: Exchange, timeoutMs: number, signal?: AbortSignal, write?: (cancelled: AbortSignal) => Promise<void>, options: { settleAfterWrite?: boolean } = {}): Promise<RunOutcome> {
    let offered = exchange.mode === 'wait' && !exchange.freshOnly ? 0 : exchange.startSeq
    // An expectation that takes time over an entry (a regular expression in a worker) holds the
    // feed at that entry; when it has its answer, the feed goes on from there, as if it had just come.
    let preparing: Promise<void> | undefined
    let onPrepared = () => {}
    const feed = () => {
      if (preparing) return
      this.inbox.visitFrom(offered, (entry) => {
        const wait = exchange.prepare(entry)
        if (wait) {
          const held = (preparing = wait.then(() => {
            if (preparing !== held) return
            preparing = undefined
            onPrepared()
          }))
          return false
        }
        offered = entry.seq + 1
        exchange.offer(entry)
        return exchange.status === 'pending'
      })
    }
    try {
      // What is already in the inbox counts first: a `wait` may be satisfied by lines that came
      // before the link closed or the run was interrupted.
      if (!write) {
        feed()
        if (exchange.status !== 'pending') return { kind: 'settled' }
      }
      if (this.closed) return { kind: 'link-closed', ...(this.closed.error ? { error: this.closed.error } : {}) }
      if (signal?.aborted) return { kind: 'aborted' }
      return await new Promise<RunOutcome>((resolve) => {
        let writing = write !== undefined
        let done = false
        // Aborted when the exchange is over: a write still waiting (for a `>` prompt) gives up
        // instead of sending its bytes into a later step.
        const cancel = write ? new AbortController() : undefined
        const timer = setTimeout(() => finish(writing ? { kind: 'write-stalled' } : { kind: 'timeout' }), timeoutMs)
        const onAbort = () => finish({ kind: 'aborted' })
        signal?.addEventListener('abort', onAbort, { once: true })
        const finish = (outcome: RunOutcome) => {
          if (done) return
          done = true
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          this.waiters.delete(waiter)
          cancel?.abort(FINISHED)
          resolve(outcome)
        }
        const waiter = (why: 'entry' | 'closed') => {
          feed()
          if (exchange.status !== 'pending') {
            if (!(writing && options.settleAfterWrite)) finish({ kind: 'settled' })
          } else if (why === 'closed' || this.closed) finish({ kind: 'link-closed', ...(this.closed?.error ? { error: this.closed.error } : {}) })
        }
        onPrepared = () => waiter('entry')
        this.waiters.add(waiter)
        if (!write || !cancel) return
        write(cancel.signal).then(
          () => {
            writing = false
            feed()
            if (exchange.status !== 'pending') finish({ kind: 'settled' })
            else if (this.closed) finish({ kind: 'link-closed', ...(this.closed.error ? { error: this.closed.error } : {}) })
          },
          (error: Error) => finish({ kind: 'write-failed', error }),
        )
      })
    } finally {
      preparing = undefined
      exchange.cancel()
      this.inbox.remove(exchange.consumed)
    }
  }

  /**
   * Resolves once the device shows its `>` prompt (at once if it already has). Payload written
   * before the prompt is lost on the device (reference §4), so a payload step waits for it.
   */
  async waitForPrompt(timeoutMs: number, signal?: AbortSignal): Promise<RunOutcome> {
    if (this.promptOutstanding) return { kind: 'settled' }
    if (this.closed) return { kind: 'link-closed', ...(this.closed.error ? { error: this.closed.error } : {}) }
    if (signal?.aborted) return { kind: 'aborted' }
    return new Promise<RunOutcome>((resolve) => {
      const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs)
      const onAbort = () => finish({ kind: 'aborted' })
      signal?.addEventListener('abort', onAbort, { once: true })
      const unsubscribe = this.subscribe((entry) => {
        if (entry.kind === 'prompt') finish({ kind: 'settled' })
      })
      const finish = (outcome: RunOutcome) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        unsubscribe()
        this.waiters.delete(waiter)
        resolve(outcome)
      }
      const waiter = (why: 'entry' | 'closed') => {
        if (why === 'closed') finish({ kind: 'link-closed', ...(this.closed?.error ? { error: this.closed.error } : {}) })
      }
      this.waiters.add(waiter)
    })
  }

  /** Entries received from `from` on that are still in the inbox (for failure reports). */
  received(from: number): InboxEntry[] {
    return this.inbox.since(from)
  }

  private receive(bytes: Uint8Array): void {
    const at = this.now()
    const chunkEnd = (this.rxBytes += bytes.length)
    const records = this.framer.push(bytes)
    if (this.events.onRead) this.events.onRead(bytes, at, dataRegions(records, this.framer.openDataStart, chunkEnd))
    if (records.length === 0) return
    for (const record of records) this.add(toEntry(record, this.nextSeq++, at))
    for (const w of this.waiters) w('entry')
  }

  /** Calls the listener for every record received from now on; returns the unsubscribe. */
  subscribe(listener: (entry: InboxEntry) => void): () => void {
    this.subscribers.add(listener)
    return () => this.subscribers.delete(listener)
  }

  /** False until the device first answers: a `ready` until then is its start-up banner. */
  get hasAnswered(): boolean {
    return this.answered
  }

  private add(entry: InboxEntry): void {
    if (entry.kind === 'prompt') this.promptOutstanding = true
    if (this.pendingEffect && (entry.kind === 'final-success' || entry.kind === 'final-failure')) {
      if (entry.kind === 'final-success') this.pendingEffect.onOk?.(this.modes)
      this.pendingEffect = undefined
    }
    if (ANSWERS.has(entry.kind) && !this.answered) {
      this.answered = true
      // A `ready` still waiting in the inbox was the start-up banner, not news for a later `wait`.
      this.inbox.removeKind('ready')
    }
    this.inbox.add(entry)
    for (const s of this.subscribers) s(entry)
  }
}

/** The contents of the length-framed records a chunk carries, whole or in part, in stream offsets. */
function dataRegions(records: readonly FrameRecord[], openStart: number | undefined, chunkEnd: number): DataRegion[] {
  const regions: DataRegion[] = []
  for (const r of records) if (r.kind === 'data') regions.push({ start: r.offset, end: r.offset + r.bytes.length })
  if (openStart !== undefined) regions.push({ start: openStart, end: chunkEnd, open: true })
  return regions
}

function defaultClock(): () => number {
  const start = performance.now()
  return () => performance.now() - start
}
