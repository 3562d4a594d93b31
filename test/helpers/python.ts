import { execFileSync } from 'node:child_process'

let found: string | undefined

/**
 * An interpreter that can import `websockets`: $PYTHON, `python3`, or Debian's /usr/bin/python3
 * (python3-websockets). The doc's echo servers need it.
 */
export function pythonWithWebsockets(): string {
  if (found) return found
  for (const candidate of [process.env.PYTHON, 'python3', '/usr/bin/python3']) {
    if (!candidate) continue
    try {
      execFileSync(candidate, ['-c', 'import websockets'], { stdio: 'ignore' })
      found = candidate
      return candidate
    } catch {
      // try the next one
    }
  }
  throw new Error('no Python with the websockets module: apt-get install python3-websockets')
}
