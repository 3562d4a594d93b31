import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { error, warning } from '../diagnostics/diagnostic.ts'
import { isLiteral } from './template.ts'
import type { Payload, Scenario, Step } from './types.ts'

/** Commands after which the device shows `>` and reads a given number of raw bytes. */
const PROMPT_COMMANDS: { pattern: RegExp; lengthParam: (params: string[]) => string | undefined }[] = [
  { pattern: /^AT\+WSSEND=/i, lengthParam: (p) => p[1] },
  { pattern: /^AT\+CIPSEND=/i, lengthParam: (p) => (p.length === 1 ? p[0] : p[1]) },
  { pattern: /^AT\+CIPSENDL=/i, lengthParam: (p) => (p.length === 1 ? p[0] : p[1]) },
  { pattern: /^AT\+WSHEAD=/i, lengthParam: (p) => p[0] },
]

/**
 * Mistakes a schema cannot see: payloads that do not fit the length their command announced,
 * payloads with no prompt to answer, commands the firmware will reject.
 */
export function lintScenario(scenario: Scenario): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const list of [scenario.steps, scenario.teardown]) {
    list.forEach((step, i) => {
      if (step.kind === 'send') lintCommand(step, out)
      if (step.kind !== 'payload') return
      const before = previousAction(list, i)
      if (!before || before.kind !== 'send' || !before.expect.some((e) => e.kind === 'line' && e.text.source === '>')) {
        out.push(
          error(
            'payload-without-prompt',
            'a `payload` answers the `>` prompt, but the step before it does not expect `>`',
            step.span,
            before?.kind === 'send' ? 'add ">" to the expectations of the step before: `expect: [OK, ">"]`' : 'send AT+WSSEND=<link>,<length> (or AT+CIPSEND) with `expect: [OK, ">"]` first',
          ),
        )
      }
      if (before?.kind === 'send') checkLength(before, step.payload, out)
    })
  }
  return out
}

/** The step before, skipping pauses. */
function previousAction(list: Step[], i: number): Step | undefined {
  for (let j = i - 1; j >= 0; j--) if (list[j]!.kind !== 'sleep') return list[j]
  return undefined
}

function checkLength(send: Extract<Step, { kind: 'send' }>, payload: Payload, out: Diagnostic[]): void {
  if (!isLiteral(send.command.parsed)) return
  const command = send.command.source
  const rule = PROMPT_COMMANDS.find((r) => r.pattern.test(command))
  if (!rule) return
  const announced = rule.lengthParam(command.slice(command.indexOf('=') + 1).split(','))
  if (announced === undefined || !/^\d+$/.test(announced.trim())) return
  const length = payloadLength(payload)
  if (length === undefined || length === Number(announced)) return
  out.push(
    error(
      'payload-length',
      `the payload is ${length} byte${length === 1 ? '' : 's'}, but \`${command}\` announced ${announced}`,
      payload.span,
      length > Number(announced)
        ? 'the device sends the first bytes and answers the surplus with `busy p...`'
        : 'the device waits for the missing bytes for ever (there is no timeout in the data phase)',
    ),
  )
}

/** The payload's byte length when it is known before the run. */
function payloadLength(payload: Payload): number | undefined {
  if (payload.kind === 'bytes') return payload.invalid ? undefined : payload.bytes.length
  if (!isLiteral(payload.text.parsed)) return undefined
  const text = payload.text.parsed.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('')
  return Buffer.byteLength(text, 'utf8') * payload.repeat
}

function lintCommand(step: Extract<Step, { kind: 'send' }>, out: Diagnostic[]): void {
  const command = step.command.source
  if (!/^AT/i.test(command)) {
    out.push(warning('bad-value', 'the command does not start with `AT`: the firmware answers ERROR', step.command.span))
  } else if (/\s$/.test(command)) {
    out.push(warning('bad-value', 'the command ends with white space, which the firmware takes as part of it (ERROR)', step.command.span))
  }
}
