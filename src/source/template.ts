/**
 * `${...}` templates: `${name}`, `${env.NAME}`, `${env.NAME:-fallback}`, `${host.ip}`, and `$${` for a
 * literal `${`. Parsed once at load time so that undefined references are reported before a run.
 */

export type TemplatePart =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; name: string; fallback?: string; offset: number; length: number }

export interface ParsedTemplate {
  parts: TemplatePart[]
  /** Set when the template is malformed (an unclosed `${`); offset into the source string. */
  error?: { message: string; offset: number }
}

const NAME = /^(?:env\.[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$/

export function parseTemplate(source: string): ParsedTemplate {
  const parts: TemplatePart[] = []
  let text = ''
  let i = 0
  while (i < source.length) {
    if (source.startsWith('$${', i)) {
      text += '${'
      i += 3
      continue
    }
    if (!source.startsWith('${', i)) {
      text += source[i]
      i++
      continue
    }
    const close = source.indexOf('}', i + 2)
    if (close < 0) return { parts, error: { message: 'unclosed `${`; write `$${` for a literal `${`', offset: i } }
    const body = source.slice(i + 2, close)
    const sep = body.indexOf(':-')
    const name = (sep < 0 ? body : body.slice(0, sep)).trim()
    if (!NAME.test(name)) {
      return { parts, error: { message: `\`\${${body}}\` is not a variable reference`, offset: i } }
    }
    if (text) parts.push({ kind: 'text', text })
    text = ''
    const ref: TemplatePart = { kind: 'ref', name, offset: i, length: close + 1 - i }
    if (sep >= 0) ref.fallback = body.slice(sep + 2)
    parts.push(ref)
    i = close + 1
  }
  if (text) parts.push({ kind: 'text', text })
  return { parts }
}

export function references(template: ParsedTemplate): Extract<TemplatePart, { kind: 'ref' }>[] {
  return template.parts.filter((p): p is Extract<TemplatePart, { kind: 'ref' }> => p.kind === 'ref')
}

/** Looks a name up: scenario and command-line variables, captures, `host.ip`, and `env.*`. */
export type Scope = (name: string) => string | undefined

export class UndefinedVariableError extends Error {
  readonly variable: string
  constructor(variable: string) {
    super(`undefined variable \`${variable}\``)
    this.variable = variable
  }
}

/**
 * Substitutes references. `escape` transforms each substituted value (regular expressions escape
 * them so a value such as `a.b` matches literally).
 */
export function renderTemplate(template: ParsedTemplate, scope: Scope, escape?: (value: string) => string): string {
  let out = ''
  for (const part of template.parts) {
    if (part.kind === 'text') {
      out += part.text
      continue
    }
    const value = scope(part.name) ?? part.fallback
    if (value === undefined) throw new UndefinedVariableError(part.name)
    out += escape ? escape(value) : value
  }
  return out
}

export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}

/** True when the string has no references at all, so it can be used as it is. */
export function isLiteral(template: ParsedTemplate): boolean {
  return template.parts.every((p) => p.kind === 'text')
}
