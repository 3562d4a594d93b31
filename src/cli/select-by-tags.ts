import { didYouMean } from '../diagnostics/suggest.ts'
import type { CliOptions } from './args.ts'

interface Tagged {
  file: string
  tags: readonly string[]
}

export interface TagSelection<T extends Tagged> {
  selected: T[]
  skipped: T[]
  /** Set when tags were given and they leave nothing to run: the whole message, for exit 2. */
  nothingSelected?: string
  /** Near misses among the tags given (`--tag smok` where there is `smoke`), when something was selected. */
  warnings: string[]
}

/** --tag: any of them must be present (when given); --exclude-tag: none may be. */
export function selectedByTags(tags: readonly string[], options: Pick<CliOptions, 'tags' | 'excludeTags'>): boolean {
  if (options.tags.length > 0 && !options.tags.some((t) => tags.includes(t))) return false
  return !options.excludeTags.some((t) => tags.includes(t))
}

/**
 * Applies --tag and --exclude-tag. Tags that select nothing are a mistake to report, not a green
 * run: a typo in a CI job's tag would otherwise pass with no test run.
 */
export function selectByTags<T extends Tagged>(scenarios: readonly T[], options: Pick<CliOptions, 'tags' | 'excludeTags'>): TagSelection<T> {
  const selected = scenarios.filter((s) => selectedByTags(s.tags, options))
  const skipped = scenarios.filter((s) => !selected.includes(s))
  const counts = tagCounts(scenarios)
  const known = [...counts.keys()]
  const nearMiss = (tag: string) => (counts.has(tag) ? undefined : didYouMean(tag, known))
  if (selected.length > 0 || scenarios.length === 0) {
    const warnings = [...options.tags.map((t) => ['--tag', t] as const), ...options.excludeTags.map((t) => ['--exclude-tag', t] as const)].flatMap(([option, tag]) => {
      const suggestion = nearMiss(tag)
      return suggestion ? [`${option} ${tag}: no scenario has this tag; did you mean \`${suggestion}\`?`] : []
    })
    return { selected, skipped, warnings }
  }
  const given = `${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} given`
  const lines: string[] = []
  const byTag = options.tags.length > 0 ? scenarios.filter((s) => selectedByTags(s.tags, { tags: options.tags, excludeTags: [] })) : [...scenarios]
  if (byTag.length === 0) {
    lines.push(`${options.tags.map((t) => `--tag ${t}`).join(' ')} selects no scenario; nothing was run.`)
    const misses = options.tags.flatMap((t) => {
      const suggestion = nearMiss(t)
      return suggestion ? [[t, suggestion] as const] : []
    })
    if (options.tags.length === 1 && misses.length === 1) lines.push(`  did you mean \`${misses[0]![1]}\`?`)
    else for (const [tag, suggestion] of misses) lines.push(`  --tag ${tag}: did you mean \`${suggestion}\`?`)
  } else {
    const excluding = options.excludeTags.map((t) => `--exclude-tag ${t}`).join(' ')
    lines.push(
      options.tags.length > 0
        ? `${options.tags.map((t) => `--tag ${t}`).join(' ')} selects ${byTag.length === 1 ? '1 scenario' : `${byTag.length} scenarios`} and ${excluding} leaves ${byTag.length === 1 ? 'it' : 'all of them'} out; nothing was run.`
        : `${excluding} leaves out ${scenarios.length === 1 ? 'the' : 'all'} ${given}; nothing was run.`,
    )
  }
  lines.push(describeTags(counts, scenarios.length, given))
  return { selected, skipped, warnings: [], nothingSelected: lines.join('\n') }
}

/** How many scenarios have each tag, in tag order. */
function tagCounts(scenarios: readonly Tagged[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const s of scenarios) for (const t of new Set(s.tags)) counts.set(t, (counts.get(t) ?? 0) + 1)
  return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function describeTags(counts: Map<string, number>, scenarios: number, given: string): string {
  if (counts.size === 0) return `  ${scenarios === 1 ? `the ${given} has no tags` : `none of the ${given} has tags`} (a scenario has them with \`tags: [smoke]\`)`
  // With one scenario every count would be 1: only the names then.
  const list = [...counts].map(([tag, n]) => (scenarios > 1 ? `${tag} (${n})` : tag)).join(', ')
  return scenarios > 1 ? `  tags of the ${given}, with how many have each: ${list}` : `  tags of the ${given}: ${list}`
}
