import type { Socket as UdpSocket } from 'node:dgram'
import type { Socket } from 'node:net'
import type { DeviceRuntime } from '../runtime.ts'
import type { IpState } from './ip-state.ts'

export type LinkType = 'TCP' | 'UDP' | 'SSL'

/** The largest `+IPD` record: one socket read of the firmware (0xB68 bytes). */
export const IPD_CHUNK = 2920
/** A passive link's receive window: beyond it the peer is held back (TCP) or datagrams are lost (UDP). */
export const PASSIVE_WINDOW = 5760

/** Where a datagram came from or goes to. */
export interface Peer {
  ip: string
  port: number
}

/** How the link came to be: the device connected (AT+CIPSTART) or accepted (AT+CIPSERVER). */
export type Terminal = 0 | 1

/**
 * One link of the TCP/IP command set (notes §10.2): a real TCP, TLS or UDP socket of this machine.
 * It prints what the firmware prints for its life: `+IPD` as data comes (in records of at most
 * 2920 bytes), or in passive mode a notice and the data on AT+CIPRECVDATA; `CLOSED` when the peer
 * ends it; in passthrough the peer's bytes as they are. AT+CIPCLOSE closes it (and prints CLOSED),
 * a restart destroys it silently.
 */
export class SocketLink {
  readonly id: number
  readonly type: LinkType
  readonly terminal: Terminal
  remote: Peer
  readonly localPort: number
  /** UDP: 0 the remote stays, 1 it changes once to the first other sender, 2 to every sender. */
  readonly udpMode: 0 | 1 | 2
  private readonly runtime: DeviceRuntime
  private readonly ip: IpState
  private readonly tcp: Socket | undefined
  private readonly udp: UdpSocket | undefined
  private closed = false
  private remoteChanged = false
  /** Passive mode: what came and was not read yet, with its sender. */
  private unread: { data: Buffer; from: Peer }[] = []
  private noticeDue = true
  /** The peer closed while unread data remained: CLOSED waits until it is read or the link closed. */
  private closeHeld = false
  private received = 0
  private readonly timers: (() => void)[] = []
  private idleTimer: (() => void) | undefined
  /** Called once the link is gone from the link table. */
  onGone: (() => void) | undefined

  constructor(
    id: number,
    type: LinkType,
    terminal: Terminal,
    socket: { tcp: Socket } | { udp: UdpSocket; udpMode: 0 | 1 | 2 },
    remote: Peer,
    runtime: DeviceRuntime,
  ) {
    this.id = id
    this.type = type
    this.terminal = terminal
    this.remote = remote
    this.runtime = runtime
    this.ip = runtime.state.ip
    if ('tcp' in socket) {
      this.tcp = socket.tcp
      this.udpMode = 0
      this.localPort = socket.tcp.localPort ?? 0
      socket.tcp.on('data', (data: Buffer) => this.receive(data, this.remote))
      socket.tcp.on('error', () => undefined)
      socket.tcp.on('close', () => this.peerClosed())
    } else {
      this.udp = socket.udp
      this.udpMode = socket.udpMode
      this.localPort = socket.udp.address().port
      socket.udp.on('message', (data: Buffer, from) => this.datagram(data, { ip: from.address, port: from.port }))
      socket.udp.on('error', () => undefined)
    }
    this.armFaults()
    this.touch()
  }

  /** AT+CIPSTATE's `<tetype>` line fields. */
  describe(): string {
    return `${this.id},"${this.type}","${this.remote.ip}",${this.remote.port},${this.localPort},${this.terminal}`
  }

  get isOpen(): boolean {
    return !this.closed
  }

  /** Bytes awaiting AT+CIPRECVDATA. */
  get unreadLength(): number {
    return this.unread.reduce((n, d) => n + d.data.length, 0)
  }

  /**
   * Sends: true once the data reached the socket (the firmware's SEND OK means the stack took it),
   * false when the link is closed or the write fails (SEND FAIL).
   */
  send(data: Uint8Array, to?: Peer): Promise<boolean> {
    if (this.closed) return Promise.resolve(false)
    this.touch()
    return new Promise((resolve) => {
      if (this.tcp) {
        if (this.tcp.destroyed || !this.tcp.writable) return resolve(false)
        this.tcp.write(data, (err) => resolve(!err))
        return
      }
      const target = to ?? this.remote
      this.udp!.send(data, target.port, target.ip, (err) => resolve(!err))
    })
  }

  /**
   * Passive mode (AT+CIPRECVDATA): up to `length` bytes, with the sender of the first. For UDP with
   * `keepDatagram`, one datagram at most (cut to `length`).
   */
  read(length: number, keepDatagram: boolean): { data: Buffer; from: Peer } | undefined {
    if (this.unread.length === 0) return undefined
    const from = this.unread[0]!.from
    const parts: Buffer[] = []
    let want = length
    while (want > 0 && this.unread.length > 0) {
      const head = this.unread[0]!
      if (head.data.length <= want && !(this.udp && keepDatagram && parts.length > 0)) {
        parts.push(head.data)
        want -= head.data.length
        this.unread.shift()
      } else {
        parts.push(head.data.subarray(0, want))
        if (this.udp) this.unread.shift() // the rest of a datagram read in part is lost
        else head.data = head.data.subarray(want)
        want = 0
      }
      if (this.udp && keepDatagram) break
    }
    if (this.tcp?.isPaused() && this.unreadLength < PASSIVE_WINDOW) this.tcp.resume()
    this.noticeDue = true
    return { data: Buffer.concat(parts), from }
  }

  /** After a read's OK: a fresh notice when data remain, or the CLOSED held back when none do. */
  afterRead(): void {
    if (this.closed) return
    if (this.unread.length > 0) this.notice()
    else if (this.closeHeld) this.close('peer')
  }

  /** A passive link with data changed back to active: what is buffered goes out as `+IPD`. */
  flushUnread(): void {
    const unread = this.unread
    this.unread = []
    for (const { data, from } of unread) this.deliver(data, from)
    if (this.closeHeld) this.close('peer')
  }

  /**
   * Closes the link and prints `CLOSED` (`<id>,CLOSED` with AT+CIPMUX=1): AT+CIPCLOSE (`local`),
   * or the peer, a CIPSTO timeout or a fault (`peer`).
   */
  close(_why: 'local' | 'peer'): void {
    if (this.closed) return
    this.release()
    const text = this.ip.mux ? `${this.id},CLOSED` : 'CLOSED'
    const session = this.ip.passthrough
    if (session?.link === this) {
      // Printed at most once per passthrough session, and only with SYSMSG bit2 (notes §2).
      if (session.closedPrinted) return
      session.closedPrinted = true
    }
    this.runtime.urc(text, { status: true })
  }

  /** Gone without a word: restart, power off. */
  async destroy(): Promise<void> {
    this.release()
  }

  private release(): void {
    if (this.closed) return
    this.closed = true
    for (const cancel of this.timers.splice(0)) cancel()
    this.idleTimer?.()
    this.tcp?.destroy()
    try {
      this.udp?.close()
    } catch {
      // already closed
    }
    if (this.ip.links[this.id] === this) this.ip.links[this.id] = undefined
    this.onGone?.()
  }

  private peerClosed(): void {
    if (this.closed) return
    if (this.unread.length > 0) {
      this.closeHeld = true
      return
    }
    this.close('peer')
  }

  private datagram(data: Buffer, from: Peer): void {
    if (this.closed) return
    const other = from.ip !== this.remote.ip || from.port !== this.remote.port
    if (other && (this.udpMode === 2 || (this.udpMode === 1 && !this.remoteChanged))) {
      this.remote = from
      this.remoteChanged = true
    }
    this.receive(data, from)
  }

  private receive(data: Buffer, from: Peer): void {
    if (this.closed) return
    this.touch()
    this.received++
    const passive = this.ip.recvTypes[this.id]!.mode === 1 && this.ip.passthrough?.link !== this
    if (!passive) this.deliver(data, from)
    else {
      if (this.udp && this.unreadLength + data.length > PASSIVE_WINDOW) return // a full window drops datagrams
      this.unread.push({ data, from })
      if (this.tcp && this.unreadLength >= PASSIVE_WINDOW) this.tcp.pause()
      if (this.noticeDue) this.notice()
    }
    const after = this.runtime.profile.faults.closeSockets?.afterMessages
    if (this.tcp && after !== undefined && this.received === after) this.hangUp()
  }

  /** Active mode: `\r\n+IPD,[<id>,]<len>[,"<ip>",<port>]:<data>\r\n` per 2920 bytes; raw in passthrough. */
  private deliver(data: Buffer, from: Peer): void {
    for (let offset = 0; offset < data.length; offset += IPD_CHUNK) {
      const piece = data.subarray(offset, offset + IPD_CHUNK)
      if (this.runtime.inPassthrough && this.ip.passthrough?.link === this) {
        this.runtime.print(piece)
        continue
      }
      const id = this.ip.mux ? `${this.id},` : ''
      const info = this.ip.dinfo ? `,"${from.ip}",${from.port}` : ''
      this.runtime.record([Buffer.from(`\r\n+IPD,${id}${piece.length}${info}:`, 'latin1'), piece, Buffer.from('\r\n')], { unsolicited: true })
    }
  }

  /** Passive mode: `\r\n+IPD,[<id>,]<len>\r\n`, once until the host reads. */
  private notice(): void {
    this.noticeDue = false
    const report = this.ip.recvTypes[this.id]!.report
    const length = report === 1 && this.udp ? this.unread[0]!.data.length : this.unreadLength
    this.runtime.urc(`\r\n+IPD,${this.ip.mux ? `${this.id},` : ''}${length}`)
  }

  /** A server link idle for AT+CIPSTO seconds is closed; traffic either way restarts the count. */
  private touch(): void {
    if (this.terminal !== 1 || this.closed) return
    this.idleTimer?.()
    const sto = this.ip.stoSec
    if (sto > 0) this.idleTimer = this.runtime.after(sto * 1000, () => this.close('peer'))
  }

  /** The closeSockets fault: the peer hangs up as a server closing the connection would. */
  private hangUp(): void {
    this.tcp?.destroy()
    this.peerClosed()
  }

  private armFaults(): void {
    const afterMs = this.runtime.profile.faults.closeSockets?.afterMs
    if (this.tcp && afterMs !== undefined) this.timers.push(this.runtime.after(afterMs, () => this.hangUp()))
  }
}

/** `CONNECT`, `<id>,CONNECT`, or with AT+SYSMSG bit1 `+LINK_CONN:...` (notes §2). */
export function connectMessage(link: SocketLink, ip: IpState, sysmsg: number): string {
  if (sysmsg & 2) return `+LINK_CONN:0,${link.id},"${link.type}",${link.terminal},"${link.remote.ip}",${link.remote.port},${link.localPort}`
  return ip.mux ? `${link.id},CONNECT` : 'CONNECT'
}
