import { basename } from 'node:path'
import { Redactor } from '../bytes/redact.ts'
import { MASK_TEXT } from '../bytes/segments.ts'
import type { OpenLink } from '../link/stream-link.ts'
import type { RecordedData, Recording } from './atrec-reader.ts'
import { describeDeviation } from './deviation-message.ts'
import { HostScript } from './host-script.ts'
import type { VariableMismatch } from './run-variables.ts'

/** The host left the recording: the running step fails with this message at once. */
export class ReplayDeviationError extends Error {}

export interface ReplayOptions {
  /** 1 plays the recorded timing, 2 twice as fast, 0 as fast as possible. */
  speed: number
  /** The recording's file, for messages. */
  file: string
}

/**
 * A device played from a recording. What the host writes is compared, as a byte stream, with what
 * the recorded host wrote; the device's bytes that follow a host write in the recording are played
 * once the host has written everything before them, at their recorded delay after that write
 * (scaled by the speed). Bytes no write preceded (the boot `ready`) are timed from the moment the
 * session starts listening. When the host deviates, the link closes with the reason, which fails the
 * running step at once instead of letting it time out.
 */
export class ReplayLink implements OpenLink {
  readonly description: string
  readonly recording: Recording
  private readonly options: ReplayOptions
  private readonly script: HostScript
  private readonly dataListeners: ((bytes: Uint8Array) => void)[] = []
  private readonly closeListeners: ((error?: Error) => void)[] = []
  /** Index in recording.data of the next device record to play. */
  private next = 0
  /** Cancels the armed playback of the next device record, if one is armed. */
  private cancelTimer: (() => void) | undefined
  private startedAt: number | undefined
  /** When the host completed each recorded write (index in recording.data), in performance.now() ms. */
  private readonly writtenAt = new Map<number, number>()
  private failure: ReplayDeviationError | undefined
  private closed = false
  private redactor = new Redactor([])
  private mismatches: readonly VariableMismatch[] = []

  constructor(recording: Recording, options: ReplayOptions) {
    this.recording = recording
    this.options = options
    this.script = new HostScript(recording.data)
    const { source, target } = recording.header
    const origin = source ? ` (imported from ${source})` : target ? ` (recorded on ${target})` : ''
    this.description = `a replay of ${basename(options.file)}${origin}`
  }

  /** This run's secrets (masked in deviation messages) and the variables that differ from the recording's. */
  explainDeviations(secrets: readonly string[], mismatches: readonly VariableMismatch[]): void {
    this.redactor = new Redactor(secrets)
    this.mismatches = mismatches
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure)
    if (this.closed) return Promise.reject(new Error('the replay is closed'))
    const outcome = this.script.write(bytes)
    if (!outcome.ok) {
      this.fail(
        new ReplayDeviationError(
          describeDeviation(outcome.deviation, { file: basename(this.options.file), mask: (b) => this.redactor.window(b), mismatches: this.mismatches }),
        ),
      )
      // The write itself went out, as it would on a wire; the step learns of the deviation through the close.
      return Promise.resolve()
    }
    const now = performance.now()
    for (const i of outcome.completed) this.writtenAt.set(i, now)
    this.schedule()
    return Promise.resolve()
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.dataListeners.push(listener)
    if (this.startedAt === undefined) {
      this.startedAt = performance.now()
      this.schedule()
    }
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener)
  }

  /**
   * A recording has no DTR/RTS: the lines are accepted and ignored, and the `ready` that followed a
   * hard reset in the recording is played at its recorded time, as any device output.
   */
  setLines(): Promise<void> {
    return Promise.resolve()
  }

  close(): Promise<void> {
    this.closed = true
    this.cancelTimer?.()
    this.cancelTimer = undefined
    return Promise.resolve()
  }

  private fail(error: ReplayDeviationError): void {
    this.failure = error
    this.cancelTimer?.()
    this.cancelTimer = undefined
    for (const listener of this.closeListeners) listener(error)
  }

  /** Arms a timer for the next device record, once the host has written everything recorded before it. */
  private schedule(): void {
    if (this.cancelTimer || this.closed || this.failure || this.startedAt === undefined) return
    const data = this.recording.data
    while (this.next < data.length && data[this.next]!.dir === 'tx') this.next++
    const entry = data[this.next]
    if (!entry || !this.script.hasWrittenBefore(this.next)) return
    const anchor = this.anchorOf(this.next)
    const recordedDelay = entry.at - anchor.recordedAt
    const delay = this.options.speed === 0 ? 0 : Math.max(0, anchor.at + recordedDelay / this.options.speed - performance.now())
    const fire = () => {
      this.cancelTimer = undefined
      this.next++
      this.play(entry)
      this.schedule()
    }
    // Due now: setImmediate, since a setTimeout of 0 waits a millisecond, which adds up over a recording.
    if (delay <= 0) {
      const immediate = setImmediate(fire)
      this.cancelTimer = () => clearImmediate(immediate)
    } else {
      const timer = setTimeout(fire, delay)
      this.cancelTimer = () => clearTimeout(timer)
    }
  }

  /** The host write a device record answers (the last one before it), or the start when none came before. */
  private anchorOf(i: number): { at: number; recordedAt: number } {
    for (let j = i - 1; j >= 0; j--) {
      const d = this.recording.data[j]!
      if (d.dir === 'tx') return { at: this.writtenAt.get(j) ?? performance.now(), recordedAt: d.at }
    }
    return { at: this.startedAt!, recordedAt: 0 }
  }

  private play(entry: RecordedData): void {
    // A secret in the device's output (the echo of AT+CWJAP) is what the host wrote there this time.
    const bytes = Buffer.concat(entry.segments.map((s) => ('bytes' in s ? s.bytes : (this.script.secretValue(s.secret) ?? Buffer.from(MASK_TEXT)))))
    for (const listener of this.dataListeners) listener(bytes)
  }
}

/** Opens a recording as a device; a file that cannot be read or parsed throws with the reason. */
export async function openReplay(path: string, options: ReplayOptions): Promise<ReplayLink> {
  const { readRecording } = await import('./atrec-reader.ts')
  return new ReplayLink(await readRecording(path), options)
}
