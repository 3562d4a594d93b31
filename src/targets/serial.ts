import { openSerialPort } from '../link/open-link.ts'
import type { LineSettings } from '../link/open-link.ts'
import type { PortSettings, Target, TargetKind } from './target.ts'

/** A local serial port by its path: what any `--port` that is no other kind is. */
export const serialKind: TargetKind = {
  name: 'serial',
  form: '/dev/ttyUSB0',
  parse: (port, settings) => serialTarget(port, settings),
}

export function serialTarget(path: string, settings: PortSettings, given = path): Target {
  const { baudRate, line } = settings
  const description = `${path} at ${baudRate} baud`
  return {
    kind: 'serial',
    description,
    hostIp: 'lan',
    onSimulator: false,
    open: () => openSerialPort(path, baudRate, line, description),
    recordedPort: (asGiven) => lineSettings(asGiven ?? given, baudRate, line),
  }
}

/** The port and its settings as a recording keeps them. */
export function lineSettings(port: string, baud: number, line: LineSettings) {
  return { port, baud, dataBits: line.dataBits, parity: line.parity, stopBits: line.stopBits, flow: line.flow }
}
