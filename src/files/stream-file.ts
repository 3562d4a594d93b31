import { closeSync, constants, fdatasync, fstatSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { describeFileKind } from '../diagnostics/fs-error.ts'

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

  /**
   * Creates or truncates a regular file. Anything else is refused (throws NotARegularFile) before it
   * is written: a FIFO would block the open until some reader came, /dev/full would fail every
   * write, /dev/null would lose the file, and what is written is meant to be read back. The path
   * is checked before it is opened, and the open file again; O_NONBLOCK makes the open of a FIFO
   * swapped in between fail at once (ENXIO) instead of hanging.
   */
  constructor(path: string) {
    this.path = path
    const existing = statIfExists(path)
    if (existing && !existing.isFile()) throw new NotARegularFile(path, existing)
    const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0), 0o666)
    const opened = fstatSync(fd)
    if (!opened.isFile()) {
      closeSync(fd)
      throw new NotARegularFile(path, opened)
    }
    this.fd = fd
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

/** A path that names something else than a regular file (a device, a FIFO, a directory). */
export class NotARegularFile extends Error {
  readonly path: string
  constructor(path: string, stats: Stats) {
    super(`it is ${describeFileKind(stats)}, not a regular file`)
    this.path = path
  }
}

function statIfExists(path: string): Stats | undefined {
  try {
    return statSync(path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}
