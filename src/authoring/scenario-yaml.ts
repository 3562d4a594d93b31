import { parse } from 'yaml'
import type { DraftExpectation, DraftScenario, DraftStep } from './draft.ts'

/**
 * A draft scenario as YAML that reads like the hand-written ones: flow lists for short
 * expectations, plain scalars where YAML keeps them as they are, single quotes for regexes (no
 * backslash doubling), double quotes (JSON escapes) for text with control characters.
 */
export function scenarioYaml(draft: DraftScenario, schema?: string): string {
  const out: string[] = []
  if (schema) out.push(`# yaml-language-server: $schema=${schema}`)
  for (const h of draft.header) out.push(`# ${h}`.trimEnd())
  out.push(`name: ${scalar(draft.name)}`)
  if (draft.description) out.push(`description: ${scalar(draft.description)}`)
  if (draft.doc) out.push(`doc: ${scalar(draft.doc)}`)
  if (draft.tags?.length) out.push(`tags: ${flow(draft.tags)}`)
  if (draft.vars.length > 0) {
    out.push('', 'vars:')
    for (const v of draft.vars) {
      if (v.comment) out.push(`  # ${v.comment}`)
      out.push(`  ${v.name}: ${/^[1-9]\d{0,8}$/.test(v.value) ? v.value : scalar(v.value)}`)
    }
  }
  if (draft.secrets.length > 0) out.push(`secrets: ${flow(draft.secrets)}`)
  if (draft.prerequisites.length > 0) {
    out.push('', 'prerequisites:')
    for (const p of draft.prerequisites) {
      out.push(`  - name: ${scalar(p.name)}`)
      out.push(`    run: ${flow(p.run, true)}`)
      out.push(`    ready: ${'port' in p.ready ? `{ port: ${scalar(p.ready.port, true)}, timeout: ${p.ready.timeout} }` : `{ delay: ${p.ready.delay} }`}`)
    }
  }
  out.push('', 'steps:')
  for (const s of draft.steps) out.push(...stepYaml(s))
  return `${out.join('\n')}\n`
}

function stepYaml(step: DraftStep): string[] {
  const lines: string[] = []
  if (step.comment) lines.push(...step.comment.split('\n').map((c) => `  # ${c}`.trimEnd()))
  const fields: [string, string][] = []
  if (step.name !== undefined) fields.push(['name', scalar(step.name)])
  if (step.send !== undefined) fields.push(['send', scalar(step.send)])
  if (step.payload !== undefined) fields.push(['payload', typeof step.payload === 'string' ? scalar(step.payload) : `{ hex: ${scalar(step.payload.hex, true)} }`])
  if (step.wait !== undefined) fields.push(['wait', expectations(step.wait)])
  if (step.expect !== undefined) fields.push(['expect', expectations(step.expect)])
  if (step.poll) fields.push(['poll', `{ every: ${step.poll.every} }`])
  if (step.timeout) fields.push(['timeout', step.timeout])
  if (step.doc) fields.push(['doc', scalar(step.doc)])
  fields.forEach(([key, value], i) => lines.push(`${i === 0 ? '  - ' : '    '}${key}: ${value}`))
  return lines
}

function expectations(list: DraftExpectation[]): string {
  if (list.length === 0) return '[]'
  if (list.length === 1 && typeof list[0] === 'string') return scalar(list[0])
  return `[${list.map((e) => (typeof e === 'string' ? scalar(e, true) : dataExpectation(e))).join(', ')}]`
}

function dataExpectation(e: Exclude<DraftExpectation, string>): string {
  const data = typeof e.data === 'string' ? scalar(e.data, true) : `{ hex: ${scalar(e.data.hex, true)} }`
  const parts = [`data: ${data}`]
  if (e.kind) parts.push(`kind: ${e.kind}`)
  if (e.link !== undefined) parts.push(`link: ${e.link}`)
  if (e.topic !== undefined) parts.push(`topic: ${scalar(e.topic, true)}`)
  return `{ ${parts.join(', ')} }`
}

function flow(items: readonly string[], quoteTemplates = false): string {
  return `[${items.map((i) => (quoteTemplates && i.includes('${') ? JSON.stringify(i) : scalar(i, true))).join(', ')}]`
}

// eslint-disable-next-line no-control-regex -- control characters are what needs double quotes
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/

/**
 * A string as a YAML scalar that reads back as exactly that string. `inFlow`: inside `[...]` or
 * `{...}`, where `,`, `[`, `]`, `{`, `}` end a plain scalar.
 */
export function scalar(text: string, inFlow = false): string {
  if (CONTROL.test(text)) return JSON.stringify(text)
  if (isPlain(text, inFlow)) return text
  if (text.startsWith('/') || !text.includes('\\')) return `'${text.replace(/'/g, "''")}'`
  return JSON.stringify(text)
}

function isPlain(text: string, inFlow: boolean): boolean {
  if (text === '' || text !== text.trim()) return false
  if (/^[-?:](?:\s|$)|^[,[\]{}#&*!|>'"%@`/]/.test(text) || / #|: |:$/.test(text)) return false
  if (inFlow && /[,[\]{}]/.test(text)) return false
  try {
    return parse(`x: ${text}`) ? (parse(`x: ${text}`) as { x: unknown }).x === text : false
  } catch {
    return false
  }
}
