import type { OpenLink } from './stream-link.ts'
import { StreamLink } from './stream-link.ts'

export type LinkTarget =
  | { kind: 'simulator' }
  | { kind: 'serial'; path: string; baudRate: number }
  /** A raw TCP serial server, such as ser2net's plain TCP accepter. */
  | { kind: 'tcp'; host: string; port: number }

/** `--port` as given: a device path, or tcp://HOST:PORT. */
export function targetFromPort(port: string, baudRate: number): LinkTarget {
  const tcp = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)\/?$/.exec(port)
  if (tcp) return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2]) }
  return { kind: 'serial', path: port, baudRate }
}

/** The port could not be opened: exit code 3, with a message a person can act on. */
export class LinkOpenError extends Error {}

export function describeTarget(target: LinkTarget): string {
  switch (target.kind) {
    case 'simulator':
      return 'the built-in ESP-AT simulator'
    case 'serial':
      return `${target.path} at ${target.baudRate} baud`
    case 'tcp':
      return `tcp://${target.host}:${target.port}`
  }
}

/** Opens the byte stream to the device; heavy modules are loaded only for the kind asked for. */
export async function openLink(target: LinkTarget): Promise<OpenLink> {
  if (target.kind === 'simulator') {
    const [{ SerialPortStream }, { SimulatedDevice }, { SimulatorBinding }] = await Promise.all([
      import('@serialport/stream'),
      import('../simulator/device.ts'),
      import('../simulator/binding.ts'),
    ])
    const binding = new SimulatorBinding(new SimulatedDevice())
    const stream = new SerialPortStream({ binding, path: 'simulator', baudRate: 115200, autoOpen: false })
    await new Promise<void>((resolve, reject) => stream.open((e) => (e ? reject(e) : resolve())))
    return new StreamLink(stream, describeTarget(target), true)
  }
  if (target.kind === 'tcp') {
    const { connect } = await import('node:net')
    const socket = connect({ host: target.host, port: target.port })
    socket.setNoDelay(true)
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve)
        socket.once('error', reject)
      })
    } catch (e) {
      throw new LinkOpenError(`cannot connect to ${describeTarget(target)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
    }
    return new StreamLink(socket, describeTarget(target))
  }
  const { SerialPort } = await import('serialport')
  const port = new SerialPort({ path: target.path, baudRate: target.baudRate, autoOpen: false })
  try {
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
  } catch (e) {
    throw new LinkOpenError(`cannot open ${target.path}: ${explainOpenError(e as Error)}`)
  }
  return new StreamLink(port, describeTarget(target))
}

function explainOpenError(e: Error): string {
  const m = e.message
  if (/ENOENT|No such file/.test(m)) return 'no such device (is the board plugged in? `ls /dev/tty*`)'
  if (/EACCES|Permission denied/.test(m)) return 'permission denied (add yourself to the `dialout` group)'
  if (/Cannot lock port|EBUSY|Resource temporarily unavailable/.test(m)) return 'the port is in use by another program'
  return m.replace(/^Error: /, '')
}
