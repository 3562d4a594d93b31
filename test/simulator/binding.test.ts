import { SerialPortStream } from '@serialport/stream'
import { afterEach, describe, expect, it } from 'vitest'
import { SimulatorBinding } from '../../src/simulator/binding.ts'
import { SimulatedDevice } from '../../src/simulator/device.ts'
import { DEFAULT_PROFILE, withOverrides } from '../../src/simulator/profile.ts'

/** The simulator below serialport, as the runner opens it, with what came out of it. */
async function open(): Promise<{ stream: SerialPortStream; text: () => string; until: (s: string) => Promise<void>; set: (lines: { dtr: boolean; rts: boolean }) => Promise<void> }> {
  const device = new SimulatedDevice({ profile: withOverrides(DEFAULT_PROFILE, { bootTimeMs: 5, faults: { seed: 3, splitWrites: { maxBytes: 4 } } }) })
  const stream = new SerialPortStream({ binding: new SimulatorBinding(device), path: 'simulator', baudRate: 115200, autoOpen: false })
  await new Promise<void>((resolve, reject) => stream.open((e) => (e ? reject(e) : resolve())))
  let out = ''
  const waiters: (() => void)[] = []
  stream.on('data', (chunk: Buffer) => {
    out += chunk.toString('latin1')
    for (const w of [...waiters]) w()
  })
  const until = (s: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!out.includes(s)) return
        waiters.splice(waiters.indexOf(check), 1)
        resolve()
      }
      waiters.push(check)
      check()
    })
  const set = (lines: { dtr: boolean; rts: boolean }) => new Promise<void>((resolve, reject) => stream.set(lines, (e) => (e ? reject(e) : resolve())))
  return { stream, text: () => out, until, set }
}

let stream: SerialPortStream | undefined
afterEach(async () => {
  if (stream?.isOpen) await new Promise<void>((resolve) => stream!.close(() => resolve()))
  stream = undefined
})

describe('the simulator as a serialport binding', () => {
  it('boots when opened and answers through SerialPortStream, faults included (writes cut in pieces of 4 bytes)', async () => {
    const port = await open()
    stream = port.stream
    await port.until('ready\r\n')
    port.stream.write('AT+CWMODE?\r\n')
    await port.until('OK\r\n')
    expect(port.text()).toBe('\r\nready\r\nAT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n')
  })

  it('a hard reset through DTR/RTS (EN low, then released with GPIO0 high): silence, then ready', async () => {
    const port = await open()
    stream = port.stream
    await port.until('ready\r\n')
    await port.set({ dtr: false, rts: true }) // EN low: held in reset
    port.stream.write('AT\r\n')
    await port.set({ dtr: false, rts: false }) // EN released: boots
    await port.until('ready\r\n\r\nready\r\n')
    expect(port.text()).toBe('\r\nready\r\n\r\nready\r\n') // the AT sent during reset was not heard
  })

  it('released with GPIO0 held low (DTR asserted): download mode, no ready on the AT port', async () => {
    const port = await open()
    stream = port.stream
    await port.until('ready\r\n')
    await port.set({ dtr: false, rts: true })
    await port.set({ dtr: true, rts: false }) // EN high, GPIO0 low
    port.stream.write('AT\r\n')
    await new Promise((resolve) => setTimeout(resolve, 50)) // longer than the 5 ms boot: nothing may come
    expect(port.text()).toBe('\r\nready\r\n')
  })
})
