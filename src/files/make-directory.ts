import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdirSync(path, { recursive: true })` never returns
 * for a new folder under /proc (it retries the ENOENT the kernel keeps giving); this throws it.
 */
export function makeDirectory(path: string): void {
  const missing: string[] = []
  let at = path
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' })
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
      missing.push(at)
      const up = dirname(at)
      if (up === at) break
      at = up
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir)
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
  }
}
