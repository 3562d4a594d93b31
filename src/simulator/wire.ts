import type { SeededRandom } from './random.ts'

/** How one direction of the UART misbehaves (a profile's `faults`). */
export interface WireFaults {
  /** Each write arrives as several reads of 1..maxBytes bytes (random sizes, seeded). */
  splitWrites?: { maxBytes: number }
  /** Emulated line rate: a byte takes 10 bit times (8N1), so bytes trickle in instead of landing at once. */
  baudRate?: number
}

/** How much a line emulating a baud rate delivers at a time: about 2 ms worth, as a UART FIFO timeout would. */
const SLICE_MS = 2

/**
 * One direction of the serial line between device and host. Without faults a write is delivered
 * at once, in one piece; with faults it is cut into pieces that arrive one after the other (never
 * reordered), each after the time the line takes to carry it. Every byte the device prints or
 * receives goes through here, so fault injection exercises the same code as a clean run.
 */
export class Wire {
  private readonly deliver: (chunk: Buffer) => void
  private readonly faults: WireFaults
  private readonly random: SeededRandom
  /** Pieces not delivered yet, each with the pause to keep before it (splitRecords). */
  private queue: { piece: Buffer; pauseMs: number }[] = []
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined
  /** When the line finishes carrying what was already sent (host ms), for an accurate rate over many pieces. */
  private busyUntil = 0

  constructor(deliver: (chunk: Buffer) => void, faults: WireFaults, random: SeededRandom) {
    this.deliver = deliver
    this.faults = faults
    this.random = random
  }

  private get faulty(): boolean {
    return this.faults.splitWrites !== undefined || this.faults.baudRate !== undefined
  }

  write(bytes: Uint8Array): void {
    if (bytes.length === 0) return
    const data = Buffer.from(bytes)
    // Nothing may overtake pieces still on their way (a record cut by splitRecords).
    if (!this.faulty && !this.timer) {
      this.deliver(data)
      return
    }
    for (const piece of this.faulty ? this.cut(data) : [data]) this.queue.push({ piece, pauseMs: 0 })
    if (!this.timer) this.pump()
  }

  /** Writes that arrive as separate reads, `pauseMs` apart, with nothing else in between. */
  writeSpaced(pieces: readonly Uint8Array[], pauseMs: number): void {
    pieces.forEach((p, i) => {
      const cut = this.faulty ? this.cut(Buffer.from(p)) : [Buffer.from(p)]
      cut.forEach((piece, j) => this.queue.push({ piece, pauseMs: i > 0 && j === 0 ? pauseMs : 0 }))
    })
    if (!this.timer) this.pump()
  }

  /** Forgets bytes not delivered yet (the device was powered off). */
  clear(): void {
    this.queue = []
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout)
      clearImmediate(this.timer as NodeJS.Immediate)
    }
    this.timer = undefined
  }

  private cut(data: Buffer): Buffer[] {
    const pieces: Buffer[] = []
    const split = this.faults.splitWrites
    const baud = this.faults.baudRate
    const sliceBytes = baud ? Math.max(1, Math.floor((baud / 10 / 1000) * SLICE_MS)) : Infinity
    for (let offset = 0; offset < data.length; ) {
      const size = split ? this.random.int(1, split.maxBytes) : sliceBytes
      pieces.push(data.subarray(offset, offset + size))
      offset += size
    }
    return pieces
  }

  private pump(): void {
    const next = this.queue.shift()
    if (!next) {
      this.timer = undefined
      return
    }
    const { piece, pauseMs } = next
    const baud = this.faults.baudRate
    const now = Date.now()
    const run = () => {
      this.deliver(piece)
      this.pump()
    }
    if (!baud) {
      // A separate macrotask per piece, so that the host's reads see them one by one.
      this.timer = pauseMs > 0 ? setTimeout(run, pauseMs) : setImmediate(run)
      return
    }
    this.busyUntil = Math.max(now + pauseMs, this.busyUntil + pauseMs) + (piece.length * 10 * 1000) / baud
    this.timer = setTimeout(run, Math.max(0, Math.round(this.busyUntil - now)))
  }
}
