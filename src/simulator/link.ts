import { LinkOpenError, serialStream } from '../link/open-link.ts'
import type { OpenLink } from '../link/stream-link.ts'
import { StreamLink } from '../link/stream-link.ts'

/**
 * The built-in simulator as a device: a SimulatedDevice below serialport's own stream (as a
 * binding), so the stream code is the same as on a board. `profile`: the absolute path of a device
 * profile. DTR/RTS reach the simulated chip's EN and GPIO0 pins, so a hard reset works as on a board.
 */
export async function openSimulatorLink(profile: string | undefined, description: string): Promise<OpenLink> {
  const { SerialPortStream } = serialStream()
  const [{ SimulatedDevice }, { SimulatorBinding }] = await Promise.all([import('./device.ts'), import('./binding.ts')])
  // The CLI reports a bad profile with its file:line:col before the run; this is the last line of defence.
  const loaded = profile ? await (await import('./profile-load.ts')).loadDeviceProfile(profile) : undefined
  if (loaded && !loaded.profile) throw new LinkOpenError(`device profile ${profile}: ${loaded.diagnostics.map((d) => d.message).join('; ')}`)
  const binding = new SimulatorBinding(new SimulatedDevice(loaded?.profile ? { profile: loaded.profile } : {}))
  const stream = new SerialPortStream({ binding, path: 'simulator', baudRate: 115200, autoOpen: false })
  await new Promise<void>((resolve, reject) => stream.open((e) => (e ? reject(e) : resolve())))
  const setLines = (lines: { dtr?: boolean; rts?: boolean }) => new Promise<void>((resolve, reject) => stream.set(lines, (e) => (e ? reject(e) : resolve())))
  return new StreamLink(stream, description, setLines)
}
