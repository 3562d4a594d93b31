import { createRequire } from 'node:module'
import type * as BindingsCppModule from '@serialport/bindings-cpp'
import type * as SerialStreamModule from '@serialport/stream'
import { basename } from 'node:path'
import type { SerialSettings } from './rfc2217.ts'
import type { OpenLink } from './stream-link.ts'
import { StreamLink } from './stream-link.ts'

/** Data bits, parity, stop bits and flow control; the baud rate travels on its own. */
export type LineSettings = Omit<SerialSettings, 'baudRate'>

export const DEFAULT_LINE: LineSettings = { dataBits: 8, parity: 'none', stopBits: 1, flow: 'none' }

export type LinkTarget =
  /** The built-in simulator; `profile` is the absolute path of a device profile (YAML). */
  | { kind: 'simulator'; profile?: string }
  | { kind: 'serial'; path: string; baudRate: number; line?: LineSettings }
  /** A raw TCP serial server, such as ser2net's plain TCP accepter. */
  | { kind: 'tcp'; host: string; port: number }
  /** A telnet COM-PORT (RFC 2217) server, such as ser2net's `telnet(rfc2217)` accepter. */
  | { kind: 'rfc2217'; host: string; port: number; baudRate: number; line?: LineSettings }
  /** A device played from a .atrec recording (`replay:run.atrec`); `speed` 0 plays as fast as possible. */
  | { kind: 'replay'; path: string; speed: number }

/** `--port` as given: a device path, tcp://HOST:PORT, rfc2217://HOST:PORT or replay:FILE. */
export function targetFromPort(port: string, baudRate: number, line?: LineSettings, replaySpeed = 1): LinkTarget {
  const replay = /^replay:(.+)$/.exec(port)
  if (replay) return { kind: 'replay', path: replay[1]!, speed: replaySpeed }
  const remote = /^(tcp|rfc2217):\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(port)
  if (remote) {
    const host = remote[2]!.replace(/^\[|\]$/g, '')
    if (remote[1] === 'tcp') return { kind: 'tcp', host, port: Number(remote[3]) }
    return { kind: 'rfc2217', host, port: Number(remote[3]), baudRate, ...(line ? { line } : {}) }
  }
  return { kind: 'serial', path: port, baudRate, ...(line ? { line } : {}) }
}

/** The port could not be opened: exit code 3, with a message a person can act on. */
export class LinkOpenError extends Error {}

export function describeTarget(target: LinkTarget): string {
  switch (target.kind) {
    case 'simulator':
      return target.profile ? `the built-in ESP-AT simulator with profile ${basename(target.profile)}` : 'the built-in ESP-AT simulator'
    case 'serial':
      return `${target.path} at ${target.baudRate} baud`
    case 'tcp':
      return `tcp://${target.host}:${target.port}`
    case 'rfc2217':
      return `rfc2217://${target.host}:${target.port} at ${target.baudRate} baud`
    case 'replay':
      return `a replay of ${basename(target.path)}`
  }
}

const requireCjs = createRequire(import.meta.url)

/**
 * serialport's stream, loaded with require(): its packages are CommonJS, and importing them from
 * ESM costs a parse of every file to find its exports (~100 ms of a run's start-up, measured).
 */
function serialStream(): typeof SerialStreamModule {
  return requireCjs('@serialport/stream') as typeof SerialStreamModule
}

/** Opens the byte stream to the device; heavy modules are loaded only for the kind asked for. */
export async function openLink(target: LinkTarget): Promise<OpenLink> {
  if (target.kind === 'simulator') {
    const { SerialPortStream } = serialStream()
    const [{ SimulatedDevice }, { SimulatorBinding }] = await Promise.all([import('../simulator/device.ts'), import('../simulator/binding.ts')])
    // The CLI reports a bad profile with its file:line:col before the run; this is the last line of defence.
    const loaded = target.profile ? await (await import('../simulator/profile-load.ts')).loadDeviceProfile(target.profile) : undefined
    if (loaded && !loaded.profile) throw new LinkOpenError(`device profile ${target.profile}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`)
    const binding = new SimulatorBinding(new SimulatedDevice(loaded?.profile ? { profile: loaded.profile } : {}))
    const stream = new SerialPortStream({ binding, path: 'simulator', baudRate: 115200, autoOpen: false })
    await new Promise<void>((resolve, reject) => stream.open((e) => (e ? reject(e) : resolve())))
    // DTR/RTS reach the simulated chip's EN and GPIO0 pins, so a hard reset works as on a board.
    const setLines = (lines: { dtr?: boolean; rts?: boolean }) => new Promise<void>((resolve, reject) => stream.set(lines, (e) => (e ? reject(e) : resolve())))
    return new StreamLink(stream, describeTarget(target), setLines)
  }
  if (target.kind === 'replay') {
    const [{ openReplay }, { RecordingFormatError }, { describeFsError }] = await Promise.all([
      import('../replay/replay-link.ts'),
      import('../replay/atrec-reader.ts'),
      import('../diagnostics/fs-error.ts'),
    ])
    try {
      return await openReplay(target.path, { speed: target.speed, file: target.path })
    } catch (e) {
      throw new LinkOpenError(`cannot replay ${target.path}: ${e instanceof RecordingFormatError ? e.message : describeFsError(e)}`)
    }
  }
  if (target.kind === 'tcp' || target.kind === 'rfc2217') {
    const socket = await connectTcp(target.host, target.port, describeTarget(target))
    if (target.kind === 'tcp') return new StreamLink(socket, describeTarget(target))
    const { Rfc2217Client } = await import('./rfc2217.ts')
    const client = new Rfc2217Client(socket)
    try {
      await client.start({ baudRate: target.baudRate, ...(target.line ?? DEFAULT_LINE) })
    } catch (e) {
      client.destroy()
      throw new LinkOpenError(`cannot open ${describeTarget(target)}: ${(e as Error).message}`)
    }
    return new StreamLink(client, describeTarget(target), (lines) => client.setLines(lines))
  }
  const { SerialPortStream } = serialStream()
  const { autoDetect } = requireCjs('@serialport/bindings-cpp') as typeof BindingsCppModule
  const line = target.line ?? DEFAULT_LINE
  const port = new SerialPortStream({
    binding: autoDetect(),
    path: target.path,
    baudRate: target.baudRate,
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
    throw new LinkOpenError(`cannot open ${target.path}: ${explainOpenError(e as Error)}`)
  }
  const setLines = (lines: { dtr?: boolean; rts?: boolean }) =>
    new Promise<void>((resolve, reject) => port.set(lines, (e) => (e ? reject(new Error(explainSetError(e, target.path))) : resolve())))
  return new StreamLink(port, describeTarget(target), setLines)
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
