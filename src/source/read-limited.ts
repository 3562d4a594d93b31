import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { describeFileKind, describeFsError } from '../diagnostics/fs-error.ts'

const KiB = 1024
const MiB = 1024 * KiB

/**
 * How large the files a run reads may be. A scenario of 1 MiB already holds some 25,000 steps
 * (and takes the YAML parser seconds); the limits are there so that a wrong path (a log, an image,
 * /dev/zero) is an error in a moment, not minutes of parsing and gigabytes of memory.
 */
export const FILE_LIMITS = {
  /** A scenario, an included file, a device profile, an `--env-file`. */
  scenario: { bytes: MiB, what: 'a scenario, an included file, a device profile or an --env-file' },
  /** A `payload: { file: ... }`: far more than the firmware takes in one send (AT+CIPSEND: 8192 bytes). */
  payload: { bytes: 16 * MiB, what: 'a payload file' },
  /** A PEM file of a device profile. */
  pem: { bytes: MiB, what: 'a PEM file' },
  /** A serial log for `at-scenario import`. */
  log: { bytes: 64 * MiB, what: 'a log to import' },
  /** A `.atrec` recording for `--port replay:`: hours of a soak run. */
  recording: { bytes: 256 * MiB, what: 'a recording' },
} as const

export type FileKind = keyof typeof FILE_LIMITS

export type ReadLimited = { ok: true; bytes: Buffer } | { ok: false; why: string }

/**
 * Reads a regular file no larger than the limit of its kind. Anything else (a device, a FIFO, a socket, a
 * directory) is refused with the reason, and without reading: /dev/zero never ends, and a FIFO
 * with no writer would hold the run for ever. The path is checked before it is opened (opening a
 * device can have effects: a serial port's DTR line), and the open file again, with O_NONBLOCK,
 * so that a path swapped for a FIFO in between can neither block the open nor be read.
 */
export function readLimited(path: string, kind: FileKind): ReadLimited {
  const limit = FILE_LIMITS[kind]
  let before: Stats
  try {
    before = statSync(path)
  } catch (e) {
    return { ok: false, why: describeFsError(e) }
  }
  const refused = refusal(before, limit)
  if (refused) return { ok: false, why: refused }
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0))
  } catch (e) {
    return { ok: false, why: describeFsError(e) }
  }
  try {
    const opened = refusal(fstatSync(fd), limit)
    if (opened) return { ok: false, why: opened }
    // The size said is not to be trusted (a file in /proc says 0, a file may grow): read up to one byte past the limit.
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(64 * KiB, limit.bytes + 1 - total))
      const n = readSync(fd, chunk, 0, chunk.length, null)
      if (n === 0) break
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n))
      total += n
      if (total > limit.bytes) return { ok: false, why: tooLarge(limit) }
    }
    return { ok: true, bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) }
  } catch (e) {
    return { ok: false, why: describeFsError(e) }
  } finally {
    closeSync(fd)
  }
}

/** `readLimited` as UTF-8 text. */
export function readLimitedText(path: string, kind: FileKind): { ok: true; text: string } | { ok: false; why: string } {
  const read = readLimited(path, kind)
  return read.ok ? { ok: true, text: read.bytes.toString('utf8') } : read
}

/** A size for people: `1 MiB`, `16 MiB`, `512 KiB`. */
export function formatSize(bytes: number): string {
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB`
  if (bytes >= KiB && bytes % KiB === 0) return `${bytes / KiB} KiB`
  return `${bytes} bytes`
}

function refusal(stats: Stats, limit: { bytes: number; what: string }): string | undefined {
  if (!stats.isFile()) return `it is ${describeFileKind(stats)}, not a regular file (only regular files are read)`
  if (stats.size > limit.bytes) return tooLarge(limit)
  return undefined
}

function tooLarge(limit: { bytes: number; what: string }): string {
  return `it is larger than ${formatSize(limit.bytes)}, the most ${limit.what} may hold`
}
