import { createRequire } from 'node:module'
import type * as BindingsCppModule from '@serialport/bindings-cpp'
import type * as SerialStreamModule from '@serialport/stream'
import type { SerialSettings } from './rfc2217.ts'
import type { OpenLink } from './stream-link.ts'
import { StreamLink } from './stream-link.ts'

/**
 * Opening the byte streams a device is reached by: a serial port, raw TCP, RFC 2217. Which one a
 * `--port` means, and what else a run needs to know about it, is src/targets/.
 */

/** Data bits, parity, stop bits and flow control; the baud rate travels on its own. */
export type LineSettings = Omit<SerialSettings, 'baudRate'>

export const DEFAULT_LINE: LineSettings = { dataBits: 8, parity: 'none', stopBits: 1, flow: 'none' }

/** The port could not be opened: exit code 3, with a message a person can act on. */
export class LinkOpenError extends Error {}

const requireCjs = createRequire(import.meta.url)

/**
 * serialport's stream, loaded with require(): its packages are CommonJS, and importing them from
 * ESM costs a parse of every file to find its exports (~100 ms of a run's start-up, measured).
 */
export function serialStream(): typeof SerialStreamModule {
  return requireCjs('@serialport/stream') as typeof SerialStreamModule
}

/** A local serial port, opened exclusively; `description` is how people know it. */
export async function openSerialPort(path: string, baudRate: number, line: LineSettings, description: string): Promise<OpenLink> {
  const { SerialPortStream } = serialStream()
  const { autoDetect } = requireCjs('@serialport/bindings-cpp') as typeof BindingsCppModule
  const port = new SerialPortStream({
    binding: autoDetect(),
    path,
    baudRate,
    dataBits: line.dataBits,
    parity: line.parity,
    stopBits: line.stopBits,
    rtscts: line.flow === 'rtscts',
    autoOpen: false,
    lock: true,
  })
  try {
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
  } catch (e) {
    throw new LinkOpenError(`cannot open ${path}: ${explainOpenError(e as Error)}`)
  }
  const setLines = (lines: { dtr?: boolean; rts?: boolean }) =>
    new Promise<void>((resolve, reject) => port.set(lines, (e) => (e ? reject(new Error(explainSetError(e, path))) : resolve())))
  return new StreamLink(port, description, setLines)
}

/** A raw TCP serial server, such as ser2net's plain TCP accepter. */
export async function openTcpPort(host: string, port: number, description: string): Promise<OpenLink> {
  return new StreamLink(await connectTcp(host, port, description), description)
}

/** A telnet COM-PORT (RFC 2217) server: the line settings are negotiated, DTR/RTS are requests. */
export async function openRfc2217Port(host: string, port: number, settings: SerialSettings, description: string): Promise<OpenLink> {
  const socket = await connectTcp(host, port, description)
  const { Rfc2217Client } = await import('./rfc2217.ts')
  const client = new Rfc2217Client(socket)
  try {
    await client.start(settings)
  } catch (e) {
    client.destroy()
    throw new LinkOpenError(`cannot open ${description}: ${(e as Error).message}`)
  }
  return new StreamLink(client, description, (lines) => client.setLines(lines))
}

const CONNECT_TIMEOUT_MS = 10_000

async function connectTcp(host: string, port: number, what: string) {
  const { connect } = await import('node:net')
  // A timeout of our own: a dropped SYN would otherwise take the kernel's two minutes of retries.
  const socket = connect({ host, port, timeout: CONNECT_TIMEOUT_MS })
  socket.setNoDelay(true)
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve)
      socket.once('error', reject)
      socket.once('timeout', () => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)))
    })
  } catch (e) {
    socket.destroy()
    throw new LinkOpenError(`cannot connect to ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  // The connect timeout must not fire on a quiet but healthy link later.
  socket.setTimeout(0)
  return socket
}

function explainSetError(e: Error, path: string): string {
  if (/Inappropriate ioctl|ENOTTY/.test(e.message)) return `${path} cannot drive DTR/RTS (a pseudo-terminal has no modem lines)`
  return `cannot set DTR/RTS on ${path}: ${e.message}`
}

function explainOpenError(e: Error): string {
  const m = e.message
  if (/ENOENT|No such file/.test(m)) return 'no such device (is the board plugged in? `ls /dev/tty*`)'
  if (/EACCES|Permission denied/.test(m)) return 'permission denied (add yourself to the `dialout` group)'
  if (/Cannot lock port|EBUSY|Resource temporarily unavailable/.test(m)) return 'the port is in use by another program'
  return m.replace(/^Error: /, '')
}
