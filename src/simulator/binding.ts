import type { BindingInterface, BindingPortInterface, OpenOptions, PortInfo, PortStatus, SetOptions } from '@serialport/bindings-interface' with { 'resolution-mode': 'require' }
import type { SimulatedDevice } from './device.ts'

type PendingRead = { buffer: Buffer; offset: number; length: number; resolve: (r: { buffer: Buffer; bytesRead: number }) => void; reject: (e: Error) => void }

function canceled(): Error {
  return Object.assign(new Error('Port is closed'), { canceled: true })
}

/**
 * The simulator below serialport: a binding whose "hardware" is a SimulatedDevice, so the real
 * SerialPortStream, our framer and the engine are the same code on the simulator and in the field.
 */
export class SimulatorBinding implements BindingInterface<SimulatorPort> {
  private readonly device: SimulatedDevice

  constructor(device: SimulatedDevice) {
    this.device = device
  }

  async list(): Promise<PortInfo[]> {
    return []
  }

  async open(options: OpenOptions): Promise<SimulatorPort> {
    return new SimulatorPort(this.device, options)
  }
}

export class SimulatorPort implements BindingPortInterface {
  readonly openOptions: Required<OpenOptions>
  isOpen = true
  private readonly device: SimulatedDevice
  private queue: Buffer[] = []
  private pending: PendingRead | undefined

  constructor(device: SimulatedDevice, options: OpenOptions) {
    this.device = device
    this.openOptions = {
      dataBits: 8,
      lock: true,
      stopBits: 1,
      parity: 'none',
      rtscts: false,
      xon: false,
      xoff: false,
      xany: false,
      hupcl: true,
      ...options,
    }
    device.onOutput((bytes) => this.fromDevice(bytes))
    // Power on once the host listens, so that `ready` is read like on a freshly reset board.
    queueMicrotask(() => device.start())
  }

  private fromDevice(bytes: Uint8Array): void {
    if (!this.isOpen) return
    this.queue.push(Buffer.from(bytes))
    this.flushRead()
  }

  private flushRead(): void {
    const read = this.pending
    if (!read || this.queue.length === 0) return
    this.pending = undefined
    let copied = 0
    while (copied < read.length && this.queue.length > 0) {
      const head = this.queue[0]!
      const n = head.copy(read.buffer, read.offset + copied, 0, Math.min(head.length, read.length - copied))
      copied += n
      if (n === head.length) this.queue.shift()
      else this.queue[0] = head.subarray(n)
    }
    read.resolve({ buffer: read.buffer, bytesRead: copied })
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    if (!this.isOpen) return Promise.reject(canceled())
    return new Promise((resolve, reject) => {
      this.pending = { buffer, offset, length, resolve, reject }
      this.flushRead()
    })
  }

  async write(buffer: Buffer): Promise<void> {
    if (!this.isOpen) throw canceled()
    this.device.receive(Buffer.from(buffer))
  }

  async close(): Promise<void> {
    if (!this.isOpen) return
    this.isOpen = false
    this.pending?.reject(canceled())
    this.pending = undefined
    await this.device.close()
  }

  async update(): Promise<void> {}

  /**
   * DTR and RTS reach the chip through the usual two-transistor auto-reset circuit of ESP boards
   * (the one esptool drives): EN is pulled low while RTS is asserted and DTR is not, GPIO0 while
   * DTR is asserted and RTS is not. So a hard reset works on the simulator as on a board.
   */
  async set(options: SetOptions): Promise<void> {
    const dtr = options.dtr ?? false
    const rts = options.rts ?? false
    this.device.setPins({ en: !(rts && !dtr), gpio0: !(dtr && !rts) })
  }
  async get(): Promise<PortStatus> {
    return { cts: true, dsr: true, dcd: true }
  }
  async getBaudRate(): Promise<{ baudRate: number }> {
    return { baudRate: this.openOptions.baudRate }
  }
  async flush(): Promise<void> {
    this.queue = []
  }
  async drain(): Promise<void> {}
}
