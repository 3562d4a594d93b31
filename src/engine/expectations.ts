import type { Matcher } from '../protocol/matchers.ts'
import { dataMatcher, lineMatcher, regexMatcher } from '../protocol/matchers.ts'
import { escapeRegExp } from '../source/template.ts'
import type { Expectation, Payload } from '../source/types.ts'
import type { Variables } from '../source/variables.ts'
import type { Redactor } from './redact.ts'

/** The bytes of a payload, with its templates rendered. */
export function payloadBytes(payload: Payload, vars: Variables): Uint8Array {
  if (payload.kind === 'bytes') return payload.bytes
  const text = vars.render(payload.text)
  return Buffer.from(payload.repeat > 1 ? text.repeat(payload.repeat) : text, 'utf8')
}

/** A short, masked description of a payload for progress output and reports. */
export function describeBytes(bytes: Uint8Array, redactor: Redactor): string {
  const printable = /^[\x20-\x7e]*$/.test(Buffer.from(bytes).toString('latin1'))
  if (printable && bytes.length <= 64) return `${JSON.stringify(redactor.text(Buffer.from(bytes).toString('latin1')))} (${bytes.length} bytes)`
  // The hex view shows the bytes with secrets already replaced: hex is no disguise.
  const head = redactor.bytes(bytes).subarray(0, 16).toString('hex').replace(/(..)/g, '$1 ').trim()
  return `${bytes.length} bytes: ${head}${bytes.length > 16 ? ' …' : ''}`
}

/** Turns a scenario expectation into a matcher, rendering its templates with the current values. */
export function toMatcher(e: Expectation, vars: Variables, redactor: Redactor): Matcher {
  switch (e.kind) {
    case 'line': {
      const text = vars.render(e.text)
      const m = lineMatcher(text)
      return redactor.active ? { ...m, label: redactor.text(text) } : m
    }
    case 'regex': {
      // Substituted values match literally: `${ssid}` = "a.b" does not match "axb".
      const source = vars.render(e.pattern, escapeRegExp)
      // The label masks a secret before escaping changes it beyond recognition (`a\.b`).
      const label = `/${vars.render(e.pattern, (v) => (redactor.isSecret(v) ? '***' : escapeRegExp(v)))}/${e.flags}`
      return regexMatcher(new RegExp(source, e.flags), redactor.text(label))
    }
    case 'data': {
      const bytes = payloadBytes(e.payload, vars)
      const where = e.link === undefined ? '' : ` on link ${e.link}`
      return dataMatcher(bytes, e.link, `+WS_DATA carrying ${describeBytes(bytes, redactor)}${where}`)
    }
  }
}
