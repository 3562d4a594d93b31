/**
 * A serial server's banner: text it sends on connect, before the device's first byte (ser2net's
 * `banner` option). No protocol marks where it ends, so the user says what it is: its text, with the
 * C escapes ser2net's own banner strings use (`lab rack 3\r\n`), or a regular expression for one
 * with parts ser2net fills in (`/lab rack \d+ port .*\r\n/`). Bytes are read as Latin-1, one
 * character each: banners are ASCII.
 */
export interface BannerRule {
  /** As the user wrote it, for messages. */
  readonly shown: string
  /**
   * How many of the first bytes the server sent are the banner (`received` is all of them so far):
   * a number once it matched, `undefined` while more may still make it, `false` when they cannot.
   */
  match(received: Uint8Array): number | undefined | false
}

export class BannerSyntaxError extends Error {}

const C_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '?': '?', "'": "'", '"': '"' }

/** `--banner`: `/regex/flags` or text with C escapes; ser2net's own substitutions (`\p`, `\d`...) are refused with a hint. */
export function parseBanner(given: string): BannerRule {
  if (given === '') throw new BannerSyntaxError('--banner needs the banner text or a /regex/')
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(given)
  if (regex) return regexBanner(given, regex[1]!, regex[2]!)
  return textBanner(given, unescapeC(given))
}

function unescapeC(given: string): string {
  let out = ''
  for (let i = 0; i < given.length; i++) {
    const c = given[i]!
    if (c !== '\\') {
      out += c
      continue
    }
    const next = given[++i]
    if (next === undefined) throw new BannerSyntaxError('--banner ends with a lone `\\`')
    if (Object.hasOwn(C_ESCAPES, next)) {
      out += C_ESCAPES[next]
      continue
    }
    const hex = /^x([0-9a-fA-F]{2})/.exec(given.slice(i))
    if (hex) {
      out += String.fromCharCode(parseInt(hex[1]!, 16))
      i += 2
      continue
    }
    const octal = /^[0-7]{1,3}/.exec(given.slice(i))
    if (octal) {
      out += String.fromCharCode(parseInt(octal[0], 8) & 0xff)
      i += octal[0].length - 1
      continue
    }
    throw new BannerSyntaxError(`--banner: \`\\${next}\` is one of the values ser2net fills in (port, device, date...), which the text cannot know; match it with a /regex/ instead`)
  }
  return out
}

function textBanner(shown: string, text: string): BannerRule {
  const bytes = Buffer.from(text, 'latin1')
  return {
    shown,
    match(received) {
      const n = Math.min(received.length, bytes.length)
      for (let i = 0; i < n; i++) if (received[i] !== bytes[i]) return false
      return received.length >= bytes.length ? bytes.length : undefined
    },
  }
}

function regexBanner(shown: string, source: string, flags: string): BannerRule {
  let pattern: RegExp
  try {
    // Sticky: the banner is what the server sends first, not text found somewhere later.
    pattern = new RegExp(source, `${flags.replace(/[gy]/g, '')}y`)
  } catch (e) {
    throw new BannerSyntaxError(`--banner: ${(e as Error).message}`)
  }
  return {
    shown,
    match(received) {
      pattern.lastIndex = 0
      const m = pattern.exec(Buffer.from(received).toString('latin1'))
      // An empty match is no banner; more bytes may still make a real one.
      return m && m[0].length > 0 ? m[0].length : undefined
    },
  }
}
