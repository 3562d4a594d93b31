/**
 * Why a serial server closed the connection, in words a person can act on. ser2net (4.3, measured)
 * answers a connection it will not serve with one line and closes it: "Port already in use" (another
 * client holds this port and `kickolduser` is off) or "Port's device already in use" (another of its
 * ports on the same serial device is in use). When `kickolduser: true` lets a newer client take the
 * port over, it closes the older connection without a word.
 */

const REFUSALS: readonly { text: string; why: string }[] = [
  { text: "Port's device already in use", why: 'another of its ports on the same serial device is in use' },
  { text: 'Port already in use', why: 'another client holds this port (set `kickolduser: true` on the connection to take it over)' },
]

/** The refusal a server's last bytes hold, if they are one of ser2net's: `ser2net refused the connection: "..." (...)`. */
export function serverRefusal(lastBytes: Uint8Array): string | undefined {
  const text = Buffer.from(lastBytes).toString('latin1').trimEnd()
  for (const r of REFUSALS) if (text.endsWith(r.text)) return `the server refused the connection: "${r.text}" (${r.why})`
  return undefined
}

/** The close of a connection we did not end: a refusal if the last bytes say one, else a take-over or a stop. */
export function remoteCloseReason(lastBytes: Uint8Array = new Uint8Array()): string {
  return (
    serverRefusal(lastBytes) ??
    'the server closed the connection: another client connected to the port and took it over (ser2net with `kickolduser: true`), or the server stopped'
  )
}

/** Keeps the last bytes of a stream, for the reason of a close. */
export class Tail {
  private bytes = new Uint8Array()
  private readonly size: number

  constructor(size = 64) {
    this.size = size
  }

  push(given: Uint8Array): void {
    // A flood must cost a copy of the last bytes only, not of each chunk.
    const chunk = given.length > this.size ? given.subarray(given.length - this.size) : given
    const joined = new Uint8Array(this.bytes.length + chunk.length)
    joined.set(this.bytes)
    joined.set(chunk, this.bytes.length)
    this.bytes = joined.subarray(Math.max(0, joined.length - this.size))
  }

  get(): Uint8Array {
    return this.bytes
  }
}
