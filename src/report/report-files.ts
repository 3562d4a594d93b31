import { randomBytes } from 'node:crypto'
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { basename, extname, isAbsolute, relative } from 'node:path'

/**
 * Replaces a file in one step: the text goes to a temporary file next to it, is synced, and is
 * renamed over the old one. A run killed while writing leaves the previous complete version.
 * The temporary name is random and created exclusively, so two runs writing into one folder
 * never share one (whichever renames last wins, whole); it is removed if the write fails.
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.${randomBytes(8).toString('hex')}.tmp`
  const fd = openSync(tmp, 'wx')
  try {
    try {
      writeFileSync(fd, text)
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
}

/**
 * Names the transcripts of a run: `<scenario file name>.transcript.txt`, with `-2`, `-3`... when two
 * scenarios of the run have the same file name in different folders; the runs of `--repeat` are
 * `<name>.run-1.transcript.txt`, `<name>.run-2.transcript.txt`...
 */
export class TranscriptNames {
  private readonly used = new Set<string>()

  next(scenarioFile: string, run?: number): string {
    const stem = `${basename(scenarioFile, extname(scenarioFile)) || 'scenario'}${run !== undefined ? `.run-${run}` : ''}`
    let name = `${stem}.transcript.txt`
    for (let n = 2; this.used.has(name); n++) name = `${stem}-${n}.transcript.txt`
    this.used.add(name)
    return name
  }
}

/** A path as the user should see it: relative to the working directory when it is inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}
