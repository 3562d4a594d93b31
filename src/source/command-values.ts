import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { error } from '../diagnostics/diagnostic.ts'
import { hasLineBreak } from '../bytes/at-argument.ts'
import { references } from './template.ts'
import type { Scenario } from './types.ts'
import { Variables } from './variables.ts'
import type { VariableInputs } from './variables.ts'

/**
 * Values known before the run (`vars`, `--var`, the environment) that would break out of the command
 * they are templated into: a CR or LF ends an AT command, and the device runs what follows as another
 * one (`--var 'ssid=x"<CR><LF>AT+RESTORE'` would factory-reset the board). Reported at the reference,
 * naming the variable and never its value (it may be a password). Captures are checked when their
 * step runs. Either set of values may be in force (`simulator.vars` on the simulator), so both are.
 */
export function checkCommandValues(scenario: Scenario, inputs: Pick<VariableInputs, 'cliVars' | 'env'>): Diagnostic[] {
  const out: Diagnostic[] = []
  const seen = new Set<string>()
  for (const onSimulator of [false, true]) {
    let vars: Variables
    try {
      // The address is not known yet; whatever it is, it has no line break of its own (a --var host.ip is checked as given).
      vars = new Variables(scenario, { ...inputs, hostIp: '127.0.0.1', onSimulator })
    } catch {
      continue // a variable without a value: reported by checkVariables
    }
    for (const step of [...scenario.steps, ...scenario.teardown]) {
      if (step.kind !== 'send') continue
      references(step.command.parsed).forEach((ref, i) => {
        const value = vars.valueOf(step.command, ref.name, ref.fallback)
        if (value === undefined || !hasLineBreak(value)) return
        const span = step.command.refSpans?.[i] ?? step.command.span
        const key = `${span.file}:${span.start.line}:${span.start.col}:${ref.name}`
        if (seen.has(key)) return
        seen.add(key)
        out.push(
          error(
            'unsafe-value',
            `the value of \`${ref.name}\`${origin(ref.name, inputs)} contains a line break (CR or LF): templated into this command, it would end it, and the device would run what follows as a command of its own`,
            span,
            'a value in a `send` may not contain CR or LF; to send two commands, write two steps',
          ),
        )
      })
    }
  }
  return out
}

function origin(name: string, inputs: Pick<VariableInputs, 'cliVars'>): string {
  if (name.startsWith('env.')) return ' (from the environment)'
  return inputs.cliVars.has(name) ? ' (from --var)' : ''
}
