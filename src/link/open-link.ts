import { createRequire } from 'node:module'
import type * as BindingsCppModule from '@serialport/bindings-cpp'
import type * as SerialStreamModule from '@serialport/stream'
import type { Duplex } from 'node:stream'
import type { BannerRule } from './banner.ts'
import type { SerialSettings } from './rfc2217.ts'
import type { OpenLink } from './stream-link.ts'
import { StreamLink } from './stream-link.ts'

/**
 * Opening the byte streams a device is reached by: a serial port, raw TCP, telnet, RFC 2217. Which one a
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

/** What a network serial server may need besides its address: the banner it sends before the device's bytes. */
export interface RemoteOptions {
  banner?: BannerRule
}

/** A raw TCP serial server, such as ser2net's plain TCP accepter. */
export async function openTcpPort(host: string, port: number, description: string, options: RemoteOptions = {}): Promise<OpenLink> {
  return remoteLink(await connectTcp(host, port, description), description, options)
}

/** A telnet COM-PORT (RFC 2217) server: the line settings are negotiated, DTR/RTS are requests. */
export async function openRfc2217Port(host: string, port: number, settings: SerialSettings, description: string, options: RemoteOptions = {}): Promise<OpenLink> {
  const [{ Rfc2217Client }, { serverRefusal, Tail }] = await Promise.all([import('./rfc2217.ts'), import('./remote-close.ts')])
  const socket = await connectTcp(host, port, description)
  // No await between the connect and the client's listener: ser2net offers COM-PORT at once.
  const client = new Rfc2217Client(socket)
  // Reported by start(); an 'error' event with nobody listening yet would end the process.
  client.on('error', () => {})
  // ser2net refuses a port in use with one line before it closes: kept to say so.
  const tail = new Tail()
  const keep = (chunk: Buffer) => tail.push(chunk)
  socket.on('data', keep)
  try {
    await client.start(settings)
  } catch (e) {
    client.destroy()
    throw new LinkOpenError(`cannot open ${description}: ${serverRefusal(tail.get()) ?? (e as Error).message}`)
  } finally {
    socket.off('data', keep)
  }
  return remoteLink(client, description, options, (lines) => client.setLines(lines))
}

/** A plain telnet server (ser2net's `telnet` accepter, a console server): IAC handled, options refused but BINARY and SGA. */
export async function openTelnetPort(host: string, port: number, description: string, options: RemoteOptions = {}): Promise<OpenLink> {
  const { TelnetClient } = await import('./telnet.ts')
  const socket = await connectTcp(host, port, description)
  const client = new TelnetClient(socket)
  try {
    await client.start()
  } catch (e) {
    client.destroy()
    throw new LinkOpenError(`cannot open ${description}: ${(e as Error).message}`)
  }
  return remoteLink(client, description, options)
}

/** The device's stream behind a network server: its banner taken off the front, and a close by the server explained. */
async function remoteLink(inner: Duplex, description: string, options: RemoteOptions, setLines?: (lines: { dtr?: boolean; rts?: boolean }) => Promise<void>): Promise<OpenLink> {
  const { RemoteConsole } = await import('./remote-console.ts')
  const remote = new RemoteConsole(inner, options.banner)
  let banner: Uint8Array | undefined
  try {
    banner = await remote.ready
  } catch (e) {
    remote.destroy()
    throw new LinkOpenError(`cannot open ${description}: ${(e as Error).message}`)
  }
  return new StreamLink(remote, description, setLines, banner ? { banner } : {})
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
