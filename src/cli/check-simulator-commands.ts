import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { warning } from '../diagnostics/diagnostic.ts'
import type { Scenario } from '../source/types.ts'

/** The tag that says a scenario is for the built-in simulator (as `--tag simulator` selects it in CI). */
export const SIMULATOR_TAG = 'simulator'

/**
 * A scenario is meant for the built-in simulator when it says so: it has a `simulator:` section
 * (values or a profile for runs there) or the tag `simulator`. Those get a warning, at the step,
 * for every command the simulator does not model: on the simulator that step would get ERROR.
 * Scenarios that say nothing may be meant for boards only, and a command the simulator lacks is
 * no mistake in them (their run on the simulator still names it when it fails).
 */
export async function unmodelledCommandWarnings(scenarios: readonly Scenario[]): Promise<Diagnostic[]> {
  const meant = scenarios.filter((s) => s.tags.includes(SIMULATOR_TAG) || s.simulator.vars.length > 0 || s.simulator.profile !== undefined)
  if (meant.length === 0) return []
  const { commandNameOf, isModelled } = await import('../simulator/modelled.ts')
  const out: Diagnostic[] = []
  for (const scenario of meant) {
    const why = scenario.tags.includes(SIMULATOR_TAG) ? 'it has the tag `simulator`' : 'it has a `simulator:` section'
    for (const step of [...scenario.steps, ...scenario.teardown]) {
      if (step.kind !== 'send') continue
      const name = commandNameOf(step.command.source)
      if (name === undefined || isModelled(name)) continue
      out.push(
        warning(
          'unmodelled-command',
          `the built-in simulator does not model AT${name}: on it this step gets ERROR (${why}, so it is meant to run there)`,
          step.command.span,
          'see `at-scenario sim --list-commands`; run it with --port for a board, or drop the tag or section',
        ),
      )
    }
  }
  return out
}
