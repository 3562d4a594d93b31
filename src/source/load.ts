import { dirname, resolve } from 'node:path'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { error, hasErrors } from '../diagnostics/diagnostic.ts'
import { Normalizer } from './normalize.ts'
import { readLimitedText } from './read-limited.ts'
import { checkSchema } from './schema-check.ts'
import type { Scenario } from './types.ts'
import { lintScenario } from './lint.ts'
import { checkVariables } from './variables.ts'
import type { VariableInputs } from './variables.ts'
import { YamlSource } from './yaml-source.ts'

export interface LoadResult {
  /** Present when the file has no errors (warnings allowed). */
  scenario?: Scenario
  diagnostics: Diagnostic[]
  /** The text of every file read, for code frames. */
  sources: Map<string, string>
}

export interface LoadOptions extends Pick<VariableInputs, 'cliVars' | 'env'> {
  /** The directory relative paths are read from and messages show paths relative to (the CLI's, not this process's). */
  cwd: string
}

/**
 * Reads a scenario file and returns it typed and validated, or every problem found, each with
 * its place in the file. Never throws for a user's mistake.
 */
export async function loadScenario(file: string, options: LoadOptions): Promise<LoadResult> {
  const sources = new Map<string, string>()
  // Only a regular file of bounded size: a device or a FIFO given as a scenario would never end.
  const read = readLimitedText(resolve(options.cwd, file), 'scenario')
  if (!read.ok) return { diagnostics: [error('file-unreadable', `cannot read ${file}: ${read.why}`)], sources }
  return { ...parseScenario(file, read.text, options, sources), sources }
}

/** The pure part of loadScenario, for text already in memory (includes are still read from disk). */
export function parseScenario(file: string, text: string, options: LoadOptions, sources = new Map<string, string>()): Omit<LoadResult, 'sources'> {
  sources.set(file, text)
  const source = new YamlSource(file, text)
  if (source.diagnostics.length > 0) return { diagnostics: source.diagnostics }
  const value = source.value
  if (value === null || value === undefined) {
    return { diagnostics: [error('missing-key', 'the file is empty: a scenario needs at least `name` and `steps`', source.spanOf(0, 1))] }
  }
  const schema = checkSchema(source, value)
  if (typeof value !== 'object' || Array.isArray(value)) return { diagnostics: schema.diagnostics }
  // Parts the schema rejected are skipped; the rest is still checked, so one pass finds everything.
  const path = resolve(options.cwd, file)
  const normalizer = new Normalizer(source, dirname(path), { cwd: options.cwd, badPaths: schema.badPaths, chain: [path], sources, includes: [] })
  const scenario = normalizer.scenario(value as Record<string, unknown>)
  const diagnostics = dedupe(
    sortDiagnostics([...schema.diagnostics, ...normalizer.diagnostics, ...lintScenario(scenario, sources), ...checkVariables(scenario, options)]),
  )
  return hasErrors(diagnostics) ? { diagnostics } : { scenario, diagnostics }
}

/** File order, then line and column: the order a reader meets the problems in. */
function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      (a.span?.file ?? '').localeCompare(b.span?.file ?? '') ||
      (a.span?.start.line ?? 0) - (b.span?.start.line ?? 0) ||
      (a.span?.start.col ?? 0) - (b.span?.start.col ?? 0),
  )
}

function dedupe(list: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return list.filter((d) => {
    const key = `${d.span?.file}:${d.span?.start.line}:${d.span?.start.col}:${d.message}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
