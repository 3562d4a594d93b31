import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { LinkOpenError } from './open-link.ts'

export interface PortInfo {
  path: string
  vendorId?: string
  productId?: string
  serialNumber?: string
  manufacturer?: string
  product?: string
}

/**
 * Serial ports with their USB identity, read from sysfs (what udev itself reads), so that listing
 * works in containers and CI runners without udev. Only USB serial adapters (ttyUSB, ttyACM...)
 * are listed: the built-in ttyS ports are always there and say nothing about boards.
 */
export function listPorts(sysfs = '/sys', dev = '/dev'): PortInfo[] {
  const classDir = join(sysfs, 'class', 'tty')
  let names: string[]
  try {
    names = readdirSync(classDir)
  } catch {
    return []
  }
  const out: PortInfo[] = []
  for (const name of names.sort()) {
    const device = join(classDir, name, 'device')
    if (!existsSync(device)) continue
    const usb = usbAncestor(realpathSync(device), sysfs)
    if (!usb) continue
    const read = (file: string) => {
      try {
        return readFileSync(join(usb, file), 'utf8').trim() || undefined
      } catch {
        return undefined
      }
    }
    const info: PortInfo = { path: join(dev, name) }
    for (const [key, file] of [
      ['vendorId', 'idVendor'],
      ['productId', 'idProduct'],
      ['serialNumber', 'serial'],
      ['manufacturer', 'manufacturer'],
      ['product', 'product'],
    ] as const) {
      const value = read(file)
      if (value) info[key] = value
    }
    out.push(info)
  }
  return out
}

/** The USB device directory above an interface: the first ancestor with an idVendor file. */
function usbAncestor(dir: string, sysfs: string): string | undefined {
  for (let d = dir; d.startsWith(sysfs) && d !== sysfs; d = dirname(d)) {
    if (existsSync(join(d, 'idVendor'))) return d
  }
  return undefined
}

/** `usb:serial=XXXX` becomes the path of the one board with that USB serial number. */
export async function resolvePort(spec: string, list: () => PortInfo[] = () => listPorts()): Promise<string> {
  const m = /^usb:serial=(.+)$/.exec(spec)
  if (!m) return spec
  const serial = m[1]!
  const matches = list().filter((p) => p.serialNumber === serial)
  if (matches.length === 1) return matches[0]!.path
  if (matches.length === 0) throw new LinkOpenError(`no USB serial port has the serial number ${serial} (\`at-scenario ports\` lists them)`)
  throw new LinkOpenError(`${matches.length} USB serial ports have the serial number ${serial}: ${matches.map((p) => p.path).join(', ')}`)
}

/** The `at-scenario ports` table. */
export function formatPorts(ports: PortInfo[]): string {
  if (ports.length === 0) return 'No USB serial ports found.\n'
  const rows = [['PORT', 'VID:PID', 'SERIAL', 'DEVICE'], ...ports.map((p) => [
    p.path,
    p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '-',
    p.serialNumber ?? '-',
    [p.manufacturer, p.product].filter(Boolean).join(' ') || '-',
  ])]
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n'
}
