import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LinkOpenError } from '../../src/link/open-link.ts'
import { formatPorts, listPorts, resolvePort } from '../../src/link/ports.ts'

/** A sysfs tree like Linux makes for a CP2102 on ttyUSB0, an ACM board on ttyACM0 and a built-in ttyS0. */
function fakeSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'at-scenario-sysfs-'))
  const usb = (dev: string, files: Record<string, string>, iface: string) => {
    const device = join(root, 'devices', 'pci0000:00', dev)
    mkdirSync(join(device, iface), { recursive: true })
    for (const [k, v] of Object.entries(files)) writeFileSync(join(device, k), `${v}\n`)
    return join(device, iface)
  }
  mkdirSync(join(root, 'class', 'tty'), { recursive: true })
  const link = (name: string, target: string) => {
    mkdirSync(join(root, 'class', 'tty', name))
    symlinkSync(target, join(root, 'class', 'tty', name, 'device'))
  }
  link('ttyUSB0', usb('usb1/1-1', { idVendor: '10c4', idProduct: 'ea60', serial: '0001A2B3', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART' }, '1-1:1.0/ttyUSB0'))
  link('ttyACM0', usb('usb1/1-2', { idVendor: '303a', idProduct: '1001', serial: 'F4:12:FA:00:11:22', product: 'USB JTAG/serial debug unit' }, '1-2:1.0'))
  const platform = join(root, 'devices', 'platform', 'serial8250', 'tty', 'ttyS0')
  mkdirSync(platform, { recursive: true })
  link('ttyS0', platform)
  mkdirSync(join(root, 'class', 'tty', 'tty1')) // a virtual console: no device link
  return root
}

describe('serial ports from sysfs', () => {
  const sysfs = fakeSysfs()
  const unused = async () => {
    throw new Error('the bindings were asked although sysfs was there')
  }

  it('lists USB serial adapters with vendor, product and serial number, and nothing else', async () => {
    expect(await listPorts({ sysfs, lister: unused })).toEqual([
      { path: '/dev/ttyACM0', vendorId: '303a', productId: '1001', serialNumber: 'F4:12:FA:00:11:22', product: 'USB JTAG/serial debug unit' },
      { path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60', serialNumber: '0001A2B3', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART' },
    ])
  })

  it('a sysfs with no USB serial adapter is an empty list, not a question to the bindings', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'at-scenario-sysfs-'))
    mkdirSync(join(empty, 'class', 'tty'), { recursive: true })
    expect(await listPorts({ sysfs: empty, lister: unused })).toEqual([])
  })

  it('prints a table, or says there is none', async () => {
    const table = formatPorts(await listPorts({ sysfs }))
    expect(table.split('\n')[0]).toMatch(/^PORT\s+VID:PID\s+SERIAL\s+DEVICE$/)
    expect(table).toMatch(/\/dev\/ttyUSB0\s+10c4:ea60\s+0001A2B3\s+Silicon Labs CP2102 USB to UART/)
    expect(formatPorts([])).toBe('No USB serial ports found.\n')
  })

  it('usb:serial=... picks the board by serial number, and says so when there is none', async () => {
    const list = () => listPorts({ sysfs })
    expect(await resolvePort('usb:serial=0001A2B3', list)).toBe('/dev/ttyUSB0')
    expect(await resolvePort('/dev/ttyUSB3', list)).toBe('/dev/ttyUSB3')
    await expect(resolvePort('usb:serial=NOPE', list)).rejects.toThrow('no USB serial port has the serial number NOPE')
  })
})

describe('serial ports where there is no sysfs (macOS, Windows)', () => {
  const noSysfs = '/nonexistent-sysfs'
  // What serialport's bindings give on Windows and macOS: upper-case hex on Windows, every field
  // present but possibly undefined, built-in and Bluetooth ports without a USB vendor.
  const listed = [
    { path: 'COM1', manufacturer: '(Standard port types)', serialNumber: undefined, pnpId: 'ACPI\\PNP0501\\0', locationId: undefined, productId: undefined, vendorId: undefined },
    { path: 'COM7', manufacturer: 'Silicon Labs', serialNumber: '0001A2B3', pnpId: 'USB\\VID_10C4&PID_EA60\\0001A2B3', locationId: 'Port_#0002.Hub_#0001', productId: 'EA60', vendorId: '10C4' },
    { path: '/dev/tty.Bluetooth-Incoming-Port', manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined },
    { path: '/dev/tty.usbmodem1101', manufacturer: 'Espressif', serialNumber: 'F4:12:FA:00:11:22', pnpId: undefined, locationId: '01100000', productId: '1001', vendorId: '303a' },
  ]

  it("asks serialport's bindings, and keeps the USB ports, with lower-case VID:PID as sysfs gives them", async () => {
    let asked = 0
    const ports = await listPorts({ sysfs: noSysfs, lister: async () => (asked++, listed) })
    expect(asked).toBe(1)
    expect(ports).toEqual([
      { path: '/dev/tty.usbmodem1101', vendorId: '303a', productId: '1001', serialNumber: 'F4:12:FA:00:11:22', manufacturer: 'Espressif' },
      { path: 'COM7', vendorId: '10c4', productId: 'ea60', serialNumber: '0001A2B3', manufacturer: 'Silicon Labs' },
    ])
    expect(formatPorts(ports)).toMatch(/^COM7\s+10c4:ea60\s+0001A2B3\s+Silicon Labs$/m)
    expect(await resolvePort('usb:serial=0001A2B3', () => listPorts({ sysfs: noSysfs, lister: async () => listed }))).toBe('COM7')
  })

  it('a listing that fails is said plainly, as a port error', async () => {
    const failing = async () => {
      throw new Error('spawn udevadm ENOENT')
    }
    const error = await listPorts({ sysfs: noSysfs, lister: failing }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LinkOpenError)
    expect((error as Error).message).toBe('cannot list the serial ports: spawn udevadm ENOENT')
  })
})
