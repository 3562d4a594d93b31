import { didYouMean } from '../diagnostics/suggest.ts'
import type { Scenario } from '../source/types.ts'
import { variableNames } from '../source/variables.ts'

/**
 * Warnings for `--var` names that no scenario declares or uses, which would change nothing: most
 * often a typo (`--var sssid=...`). Only the name is shown, never the value: it may be a password.
 */
export function unusedCliVars(names: Iterable<string>, scenarios: readonly Scenario[]): string[] {
  const known = new Set<string>()
  for (const s of scenarios) for (const n of variableNames(s)) known.add(n)
  const warnings: string[] = []
  for (const name of names) {
    const given = `--var ${name}=…`
    if (name.startsWith('env.')) {
      warnings.push(`${given}: \`\${env.${name.slice(4)}}\` is read from the environment, not from --var; set ${name.slice(4)} in the environment or in .env`)
    } else if (!known.has(name)) {
      const suggestion = didYouMean(name, [...known].filter((n) => !n.startsWith('env.')))
      const fromEnv = known.has(`env.${name}`)
      warnings.push(
        `${given}: no scenario uses a variable \`${name}\`` +
          (suggestion ? `; did you mean \`${suggestion}\`?` : fromEnv ? `; the scenarios read \`\${env.${name}}\`: set ${name} in the environment or in .env` : ''),
      )
    }
  }
  return warnings
}
