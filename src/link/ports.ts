import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as BindingsCppModule from '@serialport/bindings-cpp'
import type { PortInfo as BindingPortInfo } from '@serialport/bindings-cpp'
import { LinkOpenError } from './open-link.ts'

export interface PortInfo {
  path: string
  vendorId?: string
  productId?: string
  serialNumber?: string
  manufacturer?: string
  product?: string
}

export interface ListOptions {
  /** Default `/sys`. */
  sysfs?: string
  /** Default `/dev`. */
  dev?: string
  /** The listing used where there is no sysfs (macOS, Windows). Default: serialport's bindings. */
  lister?: () => Promise<readonly BindingPortInfo[]>
}

const requireCjs = createRequire(import.meta.url)

/** serialport's own listing, loaded only where it is needed (it spawns udevadm on Linux, which containers lack). */
const bindingsList = (): Promise<BindingPortInfo[]> => (requireCjs('@serialport/bindings-cpp') as typeof BindingsCppModule).autoDetect().list()

/**
 * USB serial adapters (ttyUSB, ttyACM, COM3, /dev/cu.usbserial-...) with their USB identity. On
 * Linux they are read from sysfs (what udev itself reads), so that listing works in containers
 * and CI runners without udev; elsewhere serialport's bindings list them. Ports with no USB
 * vendor (the built-in ttyS and COM1, Bluetooth) are left out: they say nothing about boards.
 */
export async function listPorts(options: ListOptions = {}): Promise<PortInfo[]> {
  const fromSysfs = listSysfsPorts(options.sysfs ?? '/sys', options.dev ?? '/dev')
  if (fromSysfs) return fromSysfs
  let listed: readonly BindingPortInfo[]
  try {
    listed = await (options.lister ?? bindingsList)()
  } catch (e) {
    throw new LinkOpenError(`cannot list the serial ports: ${(e as Error).message}`)
  }
  return listed
    .filter((p) => p.vendorId)
    .map((p) => {
      const info: PortInfo = { path: p.path }
      if (p.vendorId) info.vendorId = p.vendorId.toLowerCase()
      if (p.productId) info.productId = p.productId.toLowerCase()
      if (p.serialNumber) info.serialNumber = p.serialNumber
      if (p.manufacturer) info.manufacturer = p.manufacturer
      return info
    })
    .sort((a, b) => a.path.localeCompare(b.path))
}

/** The ports sysfs describes, or undefined where there is no tty class to read (not Linux). */
function listSysfsPorts(sysfs: string, dev: string): PortInfo[] | undefined {
  const classDir = join(sysfs, 'class', 'tty')
  let names: string[]
  try {
    names = readdirSync(classDir)
  } catch {
    return undefined
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
export async function resolvePort(spec: string, list: () => PortInfo[] | Promise<PortInfo[]> = () => listPorts()): Promise<string> {
  const m = /^usb:serial=(.+)$/.exec(spec)
  if (!m) return spec
  const serial = m[1]!
  const matches = (await list()).filter((p) => p.serialNumber === serial)
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
