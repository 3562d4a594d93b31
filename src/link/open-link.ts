import type { OpenLink } from './stream-link.ts'
import { StreamLink } from './stream-link.ts'

export type LinkTarget =
  | { kind: 'simulator' }
  | { kind: 'serial'; path: string; baudRate: number }

/** The port could not be opened: exit code 3, with a message a person can act on. */
export class LinkOpenError extends Error {}

export function describeTarget(target: LinkTarget): string {
  return target.kind === 'simulator' ? 'the built-in ESP-AT simulator' : `${target.path} at ${target.baudRate} baud`
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
