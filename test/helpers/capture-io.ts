import { Writable } from 'node:stream'
import type { CliIo } from '../../src/cli/main.ts'

/** In-memory stdout and stderr for calling the CLI's `main` in process (no terminal, no colours). */
export function captureIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()): CliIo & { out: () => string; err: () => string } {
  let out = ''
  let err = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        append(chunk.toString())
        callback()
      },
    }) as unknown as NodeJS.WriteStream
  return {
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    env,
    cwd,
    out: () => out,
    err: () => err,
  }
}
