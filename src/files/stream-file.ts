import { closeSync, fdatasync, fsyncSync, openSync, writeSync } from 'node:fs'

/**
 * Files written as the run goes (the transcript, a recording), so that a run that is killed still
 * leaves what happened so far.
 */

/** Where streamed text goes: a file in the CLI, an array in tests. */
export interface StreamSink {
  write(text: string): void
  /** A good moment to get what was written onto the disk (a step ended); must not block the run. */
  checkpoint(): void
  close(): Promise<void>
}

/**
 * A file written as the run goes. Each record is handed to the kernel as it comes (`writeSync`), so it survives
 * the process being killed; after each step an `fdatasync` runs in the background so that it also
 * survives a crash of the machine, without holding up the run; `close` syncs before closing.
 * A write error (disk full) stops the file, not the run: `error` says why.
 */
export class StreamFile implements StreamSink {
  readonly path: string
  error: Error | undefined
  private fd: number | undefined
  private syncing: Promise<void> | undefined

  constructor(path: string) {
    this.path = path
    this.fd = openSync(path, 'w')
  }

  write(text: string): void {
    if (this.fd === undefined) return
    try {
      writeSync(this.fd, text)
    } catch (e) {
      this.fail(e as Error)
    }
  }

  checkpoint(): void {
    const fd = this.fd
    if (fd === undefined || this.syncing) return
    this.syncing = new Promise((resolve) =>
      fdatasync(fd, () => {
        this.syncing = undefined
        resolve()
      }),
    )
  }

  async close(): Promise<void> {
    await this.syncing
    const fd = this.fd
    if (fd === undefined) return
    this.fd = undefined
    try {
      fsyncSync(fd)
    } catch (e) {
      this.error ??= e as Error
    }
    closeSync(fd)
  }

  private fail(e: Error): void {
    this.error ??= e
    const fd = this.fd
    this.fd = undefined
    if (fd !== undefined) closeSync(fd)
  }
}
