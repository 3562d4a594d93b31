import { resolvePort } from '../link/ports.ts'
import { serialTarget } from './serial.ts'
import type { TargetKind } from './target.ts'

/** `usb:serial=0001A2B3`: the board with this USB serial number, wherever it is plugged in. */
export const usbKind: TargetKind = {
  name: 'usb',
  form: 'usb:serial=SERIAL',
  parse: async (port, settings) => (port.startsWith('usb:') ? serialTarget(await resolvePort(port), settings, port) : undefined),
}
