import { maskTemplated, secretsIn, segmentsOf, utf8Spans } from '../bytes/secret-scan.ts'
import type { SecretSpan } from '../bytes/secret-scan.ts'
import { maskedBytes } from '../bytes/segments.ts'
import type { Matcher } from '../protocol/matchers.ts'
import { dataMatcher, lineMatcher } from '../protocol/matchers.ts'
import { escapeRegExp } from '../source/template.ts'
import type { DataRecordKind, Expectation, Payload } from '../source/types.ts'
import type { Variables } from '../source/variables.ts'
import { userRegexMatcher } from './user-regex.ts'

/** The bytes of a payload, with its templates rendered, and where templated secrets lie in them. */
export function payloadBytes(payload: Payload, vars: Variables): { bytes: Uint8Array; secrets: SecretSpan[] } {
  if (payload.kind === 'bytes') return { bytes: payload.bytes, secrets: [] }
  const rendered = vars.renderWithSecrets(payload.text)
  const one = Buffer.from(rendered.text, 'utf8')
  const once = utf8Spans(rendered)
  const repeat = Math.max(1, payload.repeat)
  const secrets: SecretSpan[] = []
  for (let i = 0; i < repeat && once.length > 0; i++) for (const s of once) secrets.push({ ...s, start: s.start + i * one.length, end: s.end + i * one.length })
  return { bytes: repeat > 1 ? Buffer.from(rendered.text.repeat(repeat), 'utf8') : one, secrets }
}

/**
 * A short description of a payload for progress output and reports: its text, or its length and
 * first bytes in hex. Only the templated secrets are masked (hex is no disguise); other bytes are
 * shown as they are, even when they look like a secret.
 */
export function describeBytes(bytes: Uint8Array, secrets: readonly SecretSpan[]): string {
  const shown = maskedBytes(segmentsOf(bytes, secrets))
  const printable = /^[\x20-\x7e]*$/.test(shown.toString('latin1'))
  if (printable && bytes.length <= 64) return `${JSON.stringify(shown.toString('latin1'))} (${bytes.length} bytes)`
  const head = shown.subarray(0, 16).toString('hex').replace(/(..)/g, '$1 ').trim()
  return `${bytes.length} bytes: ${head}${shown.length > 16 ? ' …' : ''}`
}

/** How received data of each kind reads in messages. */
const RECORD_NAMES: Record<DataRecordKind | 'any', string> = {
  any: 'data',
  ipd: '+IPD',
  recv: '+CIPRECVDATA',
  mqtt: '+MQTTSUBRECV',
  http: 'an HTTP response record',
  ws: '+WS_DATA',
  raw: 'passthrough data',
}

/** Turns a scenario expectation into a matcher, rendering its templates with the current values. */
export function toMatcher(e: Expectation, vars: Variables): Matcher {
  switch (e.kind) {
    case 'line': {
      const rendered = vars.renderWithSecrets(e.text)
      const m = lineMatcher(rendered.text)
      return rendered.secrets.length > 0 ? { ...m, label: maskTemplated(rendered) } : m
    }
    case 'regex': {
      // Substituted values match literally: `${ssid}` = "a.b" does not match "axb".
      const source = vars.render(e.pattern, escapeRegExp)
      // The label masks a secret before escaping changes it beyond recognition (`a\.b`).
      const secrets = vars.namedSecrets()
      const label = `/${vars.render(e.pattern, (v) => maskTemplated({ text: v, secrets: secretsIn(v, secrets) }, escapeRegExp))}/${e.flags}`
      // Where its cost is bounded whatever the device sends (user-regex.ts).
      return userRegexMatcher(source, e.flags, label)
    }
    case 'data': {
      const { bytes, secrets } = payloadBytes(e.payload, vars)
      const kind = e.record
      const where = `${e.link === undefined ? '' : ` on link ${e.link}`}${e.topic === undefined ? '' : ` on topic ${JSON.stringify(e.topic)}`}`
      return dataMatcher(bytes, { ...(kind ? { kind } : {}), ...(e.link !== undefined ? { link: e.link } : {}), ...(e.topic !== undefined ? { topic: e.topic } : {}) }, `${RECORD_NAMES[e.record ?? 'any']} carrying ${describeBytes(bytes, secrets)}${where}`)
    }
  }
}
