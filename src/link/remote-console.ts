import { Duplex } from 'node:stream'
import { quoteInline } from '../bytes/quote.ts'
import type { BannerRule } from './banner.ts'
import { remoteCloseReason, serverRefusal, Tail } from './remote-close.ts'

const BANNER_TIMEOUT_MS = 3000
/** A banner longer than this is not one: the rule does not match what the server sends. */
const BANNER_MAX_BYTES = 4096

export class RemoteConsoleError extends Error {}

/**
 * The device's byte stream behind a network serial server (raw TCP, telnet, RFC 2217), as the
 * engine reads it: the server's banner, when the user named it, taken off the front (and kept to be
 * shown as the server's, not the device's); a close the client did not ask for turned into an error
 * that says why, from what the server sent last (ser2net's refusals, or a take-over by another client).
 */
export class RemoteConsole extends Duplex {
  private readonly inner: Duplex
  private readonly tail = new Tail()
  private closingByUs = false
  private pending: Uint8Array | undefined
  private settle: { resolve: (banner: Uint8Array | undefined) => void; reject: (e: Error) => void } | undefined
  private readonly rule: BannerRule | undefined
  /** Resolves with the banner (none without a rule) once the device's bytes begin; rejects when the banner does not come. */
  readonly ready: Promise<Uint8Array | undefined>

  constructor(inner: Duplex, rule?: BannerRule, bannerTimeoutMs = BANNER_TIMEOUT_MS) {
    super()
    this.inner = inner
    this.rule = rule
    this.ready = new Promise((resolve, reject) => (this.settle = { resolve, reject }))
    // Not awaited by everyone (a link opened without a rule resolves at once); a rejection is seen by who awaits it.
    this.ready.catch(() => {})
    let timer: NodeJS.Timeout | undefined
    if (rule) {
      this.pending = new Uint8Array()
      timer = setTimeout(() => this.fail(`the banner \`${rule.shown}\` did not arrive within ${bannerTimeoutMs / 1000} s; the server sent ${this.sentSoFar()}`), bannerTimeoutMs)
      timer.unref()
    } else {
      setImmediate(() => this.checkRefusal())
    }
    // Errors before the link listens are reported by `ready`; none may throw from an event meanwhile.
    this.on('error', () => {})
    inner.on('data', (chunk: Buffer) => this.receive(chunk))
    inner.on('end', () => this.gone())
    inner.on('close', () => this.gone())
    inner.on('error', (e: NodeJS.ErrnoException) => {
      // A reset is the server going away as abruptly as a close: say why, as for a close.
      if (e.code === 'ECONNRESET' || e.code === 'EPIPE') return this.gone(e.code)
      this.fail(e.message)
      this.destroy(e)
    })
    void this.ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    )
  }

  private receive(chunk: Uint8Array): void {
    this.tail.push(chunk)
    if (this.pending === undefined) {
      this.push(Buffer.from(chunk))
      return
    }
    const received = concat(this.pending, chunk)
    const n = this.rule!.match(received)
    if (n === false || (n === undefined && received.length > BANNER_MAX_BYTES)) {
      this.pending = received
      this.fail(`what the server sent first is not the banner \`${this.rule!.shown}\`: ${this.sentSoFar()}`)
      return
    }
    if (n === undefined) {
      this.pending = received
      return
    }
    this.pending = undefined
    this.settle?.resolve(received.subarray(0, n))
    this.settle = undefined
    if (received.length > n) this.push(Buffer.from(received.subarray(n)))
  }

  /** Without a banner rule, the link is ready at once, unless what came with the connection was ser2net's refusal. */
  private checkRefusal(): void {
    const refused = serverRefusal(this.tail.get())
    if (refused) this.fail(refused)
    else {
      this.settle?.resolve(undefined)
      this.settle = undefined
    }
  }

  private sentSoFar(): string {
    const bytes = this.pending ?? this.tail.get()
    return bytes.length === 0 ? 'nothing' : quoteInline(bytes.subarray(0, 200))
  }

  private fail(message: string): void {
    this.settle?.reject(new RemoteConsoleError(message))
    this.settle = undefined
  }

  private gone(code?: string): void {
    if (this.closingByUs || this.destroyed) return
    const reason = `${remoteCloseReason(this.tail.get())}${code ? ` (${code})` : ''}`
    this.fail(reason)
    this.destroy(new RemoteConsoleError(reason))
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.inner.write(chunk, callback)
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.closingByUs = true
    this.inner.end(callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.closingByUs = true
    this.fail(error?.message ?? 'the connection was closed')
    this.inner.destroy()
    callback(error)
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
