import { useResources } from '../helpers/resources.ts'
import { SimulatedDevice } from '../../src/simulator/device.ts'
import type { DeviceOptions } from '../../src/simulator/device.ts'
import { DEFAULT_PROFILE, withOverrides } from '../../src/simulator/profile.ts'
import type { DeepPartial, DeviceProfile } from '../../src/simulator/profile.ts'

/** The default device with every delay made short, so tests do not wait for what they do not test. */
export const FAST: DeepPartial<DeviceProfile> = {
  bootTimeMs: 5,
  accessPoints: [{ ...DEFAULT_PROFILE.accessPoints[0]!, joinDelayMs: 10 }],
  sntp: { syncDelayMs: 10 },
  websocket: { reconnectDelayMs: 100, networkTimeoutMs: 2000 },
}

/** A fixed host time for tests that print the clock: Wed Nov 13 09:00:15 UTC 2024. */
export const NOV_13_2024 = Date.UTC(2024, 10, 13, 9, 0, 15)

/**
 * A simulated device with a byte-level view of everything it printed. Waiting is event-driven:
 * `until` resolves as soon as the output matches; its time limit only turns a hang into a failure.
 */
export class Harness {
  readonly device: SimulatedDevice
  /** Every output write, as delivered (for tests of how output is cut). */
  readonly writes: Buffer[] = []
  private out = Buffer.alloc(0)
  private listeners: (() => void)[] = []

  constructor(overrides: DeepPartial<DeviceProfile> = {}, options: Omit<DeviceOptions, 'profile'> = {}) {
    this.device = new SimulatedDevice({ ...options, profile: withOverrides(withOverrides(DEFAULT_PROFILE, FAST), overrides) })
    this.device.onOutput((bytes) => {
      this.writes.push(Buffer.from(bytes))
      this.out = Buffer.concat([this.out, bytes])
      for (const l of [...this.listeners]) l()
    })
  }

  /** Powers on and waits for `ready`; the banner is then cleared from the output. */
  static async boot(overrides: DeepPartial<DeviceProfile> = {}, options: Omit<DeviceOptions, 'profile'> = {}): Promise<Harness> {
    const h = new Harness(overrides, options)
    h.device.start()
    await h.until('\r\nready\r\n')
    h.clear()
    return h
  }

  write(data: string | Uint8Array): void {
    this.device.receive(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
  }

  /** Output so far, as a latin1 string (one char per byte). */
  text(): string {
    return this.out.toString('latin1')
  }

  bytes(): Buffer {
    return this.out
  }

  clear(): void {
    this.out = Buffer.alloc(0)
    this.writes.length = 0
  }

  /** Resolves with the output once it contains `what` (a string, or a regex tested on the latin1 text). */
  until(what: string | RegExp, limitMs = 5000): Promise<string> {
    const matches = () => (typeof what === 'string' ? this.text().includes(what) : what.test(this.text()))
    if (matches()) return Promise.resolve(this.text())
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!matches()) return
        done()
        resolve(this.text())
      }
      const timer = setTimeout(() => {
        done()
        reject(new Error(`the device never printed ${JSON.stringify(String(what))}; it printed ${JSON.stringify(this.text())}`))
      }, limitMs)
      const done = () => {
        clearTimeout(timer)
        this.listeners = this.listeners.filter((l) => l !== check)
      }
      this.listeners.push(check)
    })
  }

  /** Sends a command line (CR LF appended) and resolves with all output up to its final result. */
  async command(line: string, final: RegExp = /\r\n(OK|ERROR|SEND OK)\r\n$/, limitMs?: number): Promise<string> {
    this.clear()
    this.write(`${line}\r\n`)
    return this.until(final, limitMs)
  }

  async close(): Promise<void> {
    await this.device.close()
  }
}

/** Resolves once `condition` holds, checking on every turn of the event loop (no fixed sleeps). */
export async function until(condition: () => boolean, limitMs = 5000): Promise<void> {
  const start = Date.now()
  while (!condition()) {
    if (Date.now() - start > limitMs) throw new Error('condition never held')
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** `Harness.boot` for a test file: every device booted in a test is closed after it. */
export function useHarness(): (overrides?: DeepPartial<DeviceProfile>, options?: Omit<DeviceOptions, 'profile'>) => Promise<Harness> {
  const track = useResources()
  return async (overrides = {}, options = {}) => track(await Harness.boot(overrides, options))
}
