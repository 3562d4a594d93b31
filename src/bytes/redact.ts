import { MASK_TEXT } from './segments.ts'

const MASK = Buffer.from(MASK_TEXT)

/**
 * Masks secret values as `***` in text that leaves the engine and has no known positions for them:
 * names, messages, lines the device printed, a prerequisite's output. (What the host writes is
 * masked by position instead, see `maskTemplated`.)
 */
export class Redactor {
  private secrets: string[]

  constructor(secrets: readonly string[]) {
    // Longest first, so that a secret containing another is masked whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length)
  }

  /** A secret learnt during the run (a capture into a secret variable). */
  add(secret: string): void {
    if (secret.length === 0 || this.secrets.includes(secret)) return
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length)
  }

  get active(): boolean {
    return this.secrets.length > 0
  }

  text(value: string): string {
    let out = value
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(MASK_TEXT)
    return out
  }

  lines(values: readonly string[]): string[] {
    return values.map((v) => this.text(v))
  }

  /** Whether a value is one of the secrets (to mask it where it is about to be transformed). */
  isSecret(value: string): boolean {
    return this.secrets.includes(value)
  }

  /**
   * A window cut from a longer stream at `bytes`' start (a deviation shown from its offset): as
   * `bytes()`, and a secret's tail at the very start (the window cut the secret) masked too.
   */
  window(value: Uint8Array): Buffer {
    const out = this.bytes(value)
    for (const secret of this.secrets) {
      const whole = Buffer.from(secret, 'utf8')
      for (let tail = whole.length - 1; tail >= 1; tail--) {
        if (out.subarray(0, tail).equals(whole.subarray(whole.length - tail))) return Buffer.concat([MASK, out.subarray(tail)])
      }
    }
    return out
  }

  /** The bytes with every secret (as UTF-8) replaced by `***`, for hex views of payloads. */
  bytes(value: Uint8Array): Buffer {
    let out = Buffer.from(value)
    for (const secret of this.secrets) {
      const needle = Buffer.from(secret, 'utf8')
      const parts: Buffer[] = []
      let from = 0
      for (let at = out.indexOf(needle); at >= 0; at = out.indexOf(needle, from)) {
        parts.push(out.subarray(from, at), MASK)
        from = at + needle.length
      }
      if (parts.length > 0) out = Buffer.concat([...parts, out.subarray(from)])
    }
    return out
  }
}
