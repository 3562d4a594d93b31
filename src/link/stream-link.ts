import type { Duplex } from 'node:stream'
import type { ByteLink } from '../protocol/session.ts'

/** What the engine holds: a byte link it can also close, and a description for people. */
export interface OpenLink extends ByteLink {
  /** "built-in simulator", "/dev/ttyUSB0 at 115200 baud" */
  readonly description: string
  /**
   * Drives the DTR and RTS lines (for a hard reset), when the port has them. Rejects with a
   * message for people when it cannot: a pseudo-terminal, a raw TCP port, a server that does not answer.
   */
  setLines?(lines: { dtr?: boolean; rts?: boolean }): Promise<void>
  /**
   * Resets the board by a lab's own means (LAVA's hard-reset command) instead of DTR/RTS: what
   * `--reset hard` does on this link. `label` names it in the step ("LAVA_HARD_RESET_COMMAND");
   * `run` rejects with a message for people, and must stop when `signal` aborts.
   */
  readonly hardReset?: { label: string; timeoutMs: number; run(signal: AbortSignal): Promise<void> }
  /** What the server sent before the device's bytes (ser2net's banner), left out of the device's stream; shown in the transcript. */
  readonly banner?: Uint8Array
  close(): Promise<void>
}

/** What a StreamLink knows besides its stream (see OpenLink). */
export interface StreamLinkExtras {
  banner?: Uint8Array
  hardReset?: OpenLink['hardReset']
}

/** Adapts a byte Duplex (a SerialPortStream, a socket) to a link. */
export class StreamLink implements OpenLink {
  readonly description: string
  private readonly stream: Duplex
  private closing = false
  private closeListeners: ((error?: Error) => void)[] = []
  private ended = false

  readonly setLines?: (lines: { dtr?: boolean; rts?: boolean }) => Promise<void>
  readonly hardReset?: OpenLink['hardReset']
  readonly banner?: Uint8Array

  constructor(stream: Duplex, description: string, setLines?: (lines: { dtr?: boolean; rts?: boolean }) => Promise<void>, extras: StreamLinkExtras = {}) {
    this.stream = stream
    this.description = description
    if (setLines) this.setLines = setLines
    if (extras.banner) this.banner = extras.banner
    if (extras.hardReset) this.hardReset = extras.hardReset
    const gone = (error?: Error) => {
      if (this.ended) return
      this.ended = true
      if (this.closing) return
      for (const l of this.closeListeners) l(error)
    }
    stream.on('close', (error?: Error) => gone(error instanceof Error ? error : undefined))
    stream.on('error', (error: Error) => gone(error))
    stream.on('end', () => gone())
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stream.write(bytes, (error) => (error ? reject(error) : resolve()))
    })
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.stream.on('data', listener)
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.push(listener)
  }

  async close(): Promise<void> {
    if (this.ended) return
    this.closing = true
    const closable = this.stream as Duplex & { close?: (cb: (e?: Error | null) => void) => void; isOpen?: boolean }
    await new Promise<void>((resolve) => {
      this.stream.once('close', () => resolve())
      // A serial port must be closed through its binding, or the native poller keeps the process alive.
      if (typeof closable.close === 'function' && closable.isOpen) closable.close(() => this.stream.destroy())
      else this.stream.destroy()
    })
  }
}
