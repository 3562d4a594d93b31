import type { Scenario } from '../source/types.ts'
import { HOST_IP, Variables } from '../source/variables.ts'
import type { VariableInputs } from '../source/variables.ts'
import type { NamedSecret } from '../bytes/secret-scan.ts'

/** The values a run of a scenario starts with, as a recording keeps them. */
export interface RunVariables {
  /** Name and value of every variable except secrets and values that contain one. */
  plain: [string, string][]
  /** The secrets with the names of their variables (an included file's own name for its secret). */
  secrets: NamedSecret[]
}

/**
 * Works out the run's variables the way the engine will (the same pure computation), so that a
 * recording can keep them and a replay can compare. Captures come later and are not included.
 */
export function runVariables(scenario: Scenario, inputs: VariableInputs): RunVariables {
  const vars = new Variables(scenario, inputs)
  // The names the engine gives the secrets in its `io` events, which the recording keeps as `\{name}`.
  const secrets = vars.namedSecrets()

  const names = [HOST_IP, ...scenario.vars.map((v) => v.name), ...(inputs.onSimulator ? scenario.simulator.vars.map((v) => v.name) : []), ...inputs.cliVars.keys()]
  const secretNames = new Set(scenario.secrets.map((s) => s.name))
  const plain: [string, string][] = []
  for (const name of new Set(names)) {
    const value = vars.get(name)
    if (value === undefined || secretNames.has(name)) continue
    if (secrets.some((s) => value.includes(s.value))) continue
    plain.push([name, value])
  }
  return { plain, secrets }
}

export interface VariableMismatch {
  name: string
  recorded: string
  /** This run's value (it holds no secret: those are never compared). */
  current: string
}

/** Variables both runs have whose values differ: the usual reason a replay deviates. */
export function variableMismatches(recorded: ReadonlyMap<string, string>, current: RunVariables): VariableMismatch[] {
  const out: VariableMismatch[] = []
  for (const [name, value] of current.plain) {
    const was = recorded.get(name)
    if (was !== undefined && was !== value) out.push({ name, recorded: was, current: value })
  }
  return out
}
