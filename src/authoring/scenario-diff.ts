import { isDeepStrictEqual } from 'node:util'
import { parse } from 'yaml'

/**
 * What changed between a scenario on disk and the one a newer page makes, step by step: steps
 * are matched by name (the page's step text), then compared by content (comments and key order
 * do not count). The other top-level keys are compared as wholes.
 */
export interface ScenarioDiff {
  same: boolean
  /** Lines for people: `+ step "..." (page line 80)`, `- step "..."`, `~ step "..." (page line 92): send ...`. */
  lines: string[]
}

type Raw = Record<string, unknown>

export function diffScenarios(existingText: string, newText: string, newStepLines: readonly number[]): ScenarioDiff {
  let existing: Raw
  try {
    existing = (parse(existingText) ?? {}) as Raw
  } catch (e) {
    return { same: false, lines: [`the file on disk is not YAML (${(e as Error).message.split('\n')[0]}): it would be replaced`] }
  }
  const fresh = parse(newText) as Raw
  const lines: string[] = []
  for (const key of new Set([...Object.keys(existing), ...Object.keys(fresh)])) {
    if (key === 'steps') continue
    if (!isDeepStrictEqual(existing[key], fresh[key])) lines.push(`~ ${key}: ${show(existing[key])} → ${show(fresh[key])}`)
  }
  const before = keyed(Array.isArray(existing.steps) ? (existing.steps as Raw[]) : [])
  const after = keyed(Array.isArray(fresh.steps) ? (fresh.steps as Raw[]) : [])
  const oldKeys = new Set(before.map((s) => s.key))
  const newKeys = new Set(after.map((s) => s.key))
  for (const s of before) if (!newKeys.has(s.key)) lines.push(`- step ${s.index + 1} "${s.name}"`)
  after.forEach((s) => {
    const where = newStepLines[s.index] !== undefined ? ` (page line ${newStepLines[s.index]})` : ''
    if (!oldKeys.has(s.key)) {
      lines.push(`+ step ${s.index + 1} "${s.name}"${where}`)
      return
    }
    const old = before.find((b) => b.key === s.key)!
    if (isDeepStrictEqual(old.step, s.step)) return
    const changes = [...new Set([...Object.keys(old.step), ...Object.keys(s.step)])].filter((k) => !isDeepStrictEqual(old.step[k], s.step[k]))
    lines.push(`~ step ${s.index + 1} "${s.name}"${where}: ${changes.map((k) => `${k}: ${show(old.step[k])} → ${show(s.step[k])}`).join('; ')}`)
  })
  if (lines.length === 0) {
    // Same steps, in another order.
    const order = (list: { key: string }[]) => list.map((s) => s.key).join('\n')
    if (order(before) !== order(after)) lines.push(`~ the steps are in another order: ${after.map((s) => `"${s.name}"`).join(', ')}`)
  }
  return { same: lines.length === 0, lines }
}

/** Steps with a key that is unique: the name (or the command), and `#2`... for repeats. */
function keyed(steps: Raw[]): { key: string; name: string; index: number; step: Raw }[] {
  const seen = new Map<string, number>()
  return steps.map((step, index) => {
    const label = step.name ?? step.send ?? step.wait ?? step.payload
    const name = typeof label === 'string' ? label : label === undefined ? `step ${index + 1}` : JSON.stringify(label)
    const n = (seen.get(name) ?? 0) + 1
    seen.set(name, n)
    return { key: n === 1 ? name : `${name}#${n}`, name, index, step }
  })
}

function show(value: unknown): string {
  if (value === undefined) return '(none)'
  const text = JSON.stringify(value)
  return text.length > 120 ? `${text.slice(0, 117)}...` : text
}
