import type { PassthroughSink } from '../device.ts'
import type { DeviceRuntime } from '../runtime.ts'
import { IPD_CHUNK } from './socket-link.ts'
import type { SocketLink } from './socket-link.ts'

/**
 * The passthrough of AT+CIPMODE=1 + AT+CIPSEND (notes §3.3, §10.3): the UART's bytes go to the
 * link as they come, in packets of 2920 bytes as soon as that many are buffered, else after
 * AT+TRANSINTVL of quiet; the link's bytes come back raw (SocketLink prints them without `+IPD`).
 * `+++` (recognised by the UART engine) ends it: `+QUITT` with AT+SYSMSG bit0, and the link stays.
 */
export class PassthroughSession implements PassthroughSink {
  readonly link: SocketLink
  /** A `CLOSED` is printed at most once per session. */
  closedPrinted = false
  private readonly runtime: DeviceRuntime
  private buffered: Buffer[] = []
  private size = 0
  private cancelFlush: (() => void) | undefined

  constructor(link: SocketLink, runtime: DeviceRuntime) {
    this.link = link
    this.runtime = runtime
  }

  data(chunk: Buffer): void {
    this.buffered.push(chunk)
    this.size += chunk.length
    while (this.size >= IPD_CHUNK) this.sendPacket(IPD_CHUNK)
    this.cancelFlush?.()
    this.cancelFlush = this.size > 0 ? this.runtime.after(this.runtime.state.ip.transIntervalMs, () => this.flush()) : undefined
  }

  exit(): void {
    this.flush()
    this.stop()
    const ip = this.runtime.state.ip
    if (ip.passthrough === this) ip.passthrough = undefined
    if (this.runtime.state.sysmsg & 1) this.runtime.print('\r\n+QUITT\r\n')
  }

  /** Ends without a word (restart). */
  stop(): void {
    this.cancelFlush?.()
    this.cancelFlush = undefined
  }

  private flush(): void {
    this.cancelFlush = undefined
    if (this.size > 0) this.sendPacket(this.size)
  }

  private sendPacket(length: number): void {
    const all = Buffer.concat(this.buffered)
    const packet = all.subarray(0, length)
    const rest = all.subarray(length)
    this.buffered = rest.length > 0 ? [rest] : []
    this.size = rest.length
    // Data for a link that is gone is dropped, as the firmware drops it while it reconnects.
    if (this.link.isOpen) void this.link.send(packet)
  }
}
