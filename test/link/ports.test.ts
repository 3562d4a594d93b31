import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
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

  it('lists USB serial adapters with vendor, product and serial number, and nothing else', () => {
    expect(listPorts(sysfs)).toEqual([
      { path: '/dev/ttyACM0', vendorId: '303a', productId: '1001', serialNumber: 'F4:12:FA:00:11:22', product: 'USB JTAG/serial debug unit' },
      { path: '/dev/ttyUSB0', vendorId: '10c4', productId: 'ea60', serialNumber: '0001A2B3', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART' },
    ])
  })

  it('prints a table, or says there is none', () => {
    const table = formatPorts(listPorts(sysfs))
    expect(table.split('\n')[0]).toMatch(/^PORT\s+VID:PID\s+SERIAL\s+DEVICE$/)
    expect(table).toMatch(/\/dev\/ttyUSB0\s+10c4:ea60\s+0001A2B3\s+Silicon Labs CP2102 USB to UART/)
    expect(formatPorts([])).toBe('No USB serial ports found.\n')
  })

  it('gives no ports, not an error, where there is no sysfs', () => {
    expect(listPorts('/nonexistent-sysfs')).toEqual([])
  })

  it('usb:serial=... picks the board by serial number, and says so when there is none', async () => {
    const list = () => listPorts(sysfs)
    expect(await resolvePort('usb:serial=0001A2B3', list)).toBe('/dev/ttyUSB0')
    expect(await resolvePort('/dev/ttyUSB3', list)).toBe('/dev/ttyUSB3')
    await expect(resolvePort('usb:serial=NOPE', list)).rejects.toThrow('no USB serial port has the serial number NOPE')
  })
})
