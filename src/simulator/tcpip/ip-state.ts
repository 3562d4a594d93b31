import type { AuthMode } from '../ws-config.ts'
import type { DeviceServer } from './device-server.ts'
import type { PassthroughSession } from './passthrough.ts'
import type { SocketLink } from './socket-link.ts'

/** Link IDs 0..4 (AT_SOCKET_MAX_CONN_NUM); 5 ("max") means all links where a command allows it. */
export const MAX_LINKS = 5

/** AT+CIPRECVTYPE of one link ID: 0 active (`+IPD` with the data), 1 passive (a notice; AT+CIPRECVDATA reads). */
export interface RecvType {
  mode: 0 | 1
  /** Passive notices: 0 the total buffered, 1 the length of the next datagram. */
  report: 0 | 1
}

/** AT+CIPSSLCCONF of one link ID. */
export interface SslConf {
  authMode: AuthMode
  pkiNumber: number
  caNumber: number
}

/**
 * The TCP/IP command set's state of one boot (notes §10.1): nothing of it is kept in flash here
 * (AT+CIPSSLCCONF is in the firmware's NVS; the simulator keeps it until the next boot).
 */
export class IpState {
  mux: 0 | 1 = 0
  /** AT+CIPMODE: 1 lets AT+CIPSEND (no length) enter passthrough. */
  mode: 0 | 1 = 0
  /** AT+CIPDINFO: the remote address in `+IPD` and `+CIPRECVDATA`. */
  dinfo = false
  /** Open links by ID (with AT+CIPMUX=0 the one link is ID 0). */
  readonly links: (SocketLink | undefined)[] = Array.from({ length: MAX_LINKS }, () => undefined)
  server: DeviceServer | undefined
  serverMaxConn = MAX_LINKS
  /** AT+CIPSTO: a server link idle this long is closed (0: never). The docs give no default; old firmware used 180 s. */
  stoSec = 180
  readonly recvTypes: RecvType[] = Array.from({ length: MAX_LINKS }, () => ({ mode: 0, report: 0 }))
  readonly sslConfs: SslConf[] = Array.from({ length: MAX_LINKS }, () => ({ authMode: 0, pkiNumber: 0, caNumber: 0 }))
  /** AT+TRANSINTVL: passthrough data is sent after this much quiet on the UART. */
  transIntervalMs = 20
  /** AT+CIPRECONNINTV, in 100 ms: a passthrough client reconnects this often after losing its link. */
  reconnectInterval = 1
  /** The passthrough session while the UART is in it (AT+CIPMODE=1, AT+CIPSEND). */
  passthrough: PassthroughSession | undefined
  /** Whether a link was ever open in this boot (AT+CIPSTATUS's 4: all links closed). */
  hadLinks = false

  /** The lowest free link ID, if any. */
  freeId(): number | undefined {
    const id = this.links.findIndex((l) => l === undefined)
    return id < 0 ? undefined : id
  }

  openLinks(): SocketLink[] {
    return this.links.filter((l): l is SocketLink => l !== undefined)
  }

  /** Closes every link and the server without a word (restart, power off). */
  async shutdown(): Promise<void> {
    this.passthrough?.stop()
    this.passthrough = undefined
    await Promise.all(this.openLinks().map((l) => l.destroy()))
    this.links.fill(undefined)
    await this.server?.close()
    this.server = undefined
  }
}
