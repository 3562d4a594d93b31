import { escapeAtString, hasLineBreak, LINE_START, quoteStateAfter } from '../bytes/at-argument.ts'
import { secretsIn } from '../bytes/secret-scan.ts'
import type { NamedSecret, TextWithSecrets } from '../bytes/secret-scan.ts'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { error, warning } from '../diagnostics/diagnostic.ts'
import { didYouMean } from '../diagnostics/suggest.ts'
import { checkCommandValues } from './command-values.ts'
import { references, renderTemplate, UndefinedVariableError } from './template.ts'
import type { Scope } from './template.ts'
import type { Expectation, IncludeScope, Payload, Scenario, Step, Template } from './types.ts'

/**
 * A command line rendered for the device: values inside a double-quoted parameter escaped as the
 * firmware reads them, secrets located. `lineBreakIn` names a variable whose value has a CR or LF:
 * such a line must not be written, since the device would take the rest for another command.
 */
export interface CommandText extends TextWithSecrets {
  lineBreakIn?: string
}

/** What the variables of a run come from, besides the scenario's own `vars`. */
export interface VariableInputs {
  /** `--var name=value`; beats the scenario's `vars`. `host.ip` may be given here too. */
  cliVars: ReadonlyMap<string, string>
  env: Readonly<Record<string, string | undefined>>
  /** The address the device reaches this computer under; `--var host.ip` wins. */
  hostIp: string
  /** The run is on the built-in simulator: the scenario's `simulator.vars` replace its `vars`. */
  onSimulator: boolean
}

export const HOST_IP = 'host.ip'
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Names an include scope defines: its file's variables and `with:` values, then its includers'. */
function scopeNames(scope: IncludeScope | undefined): string[] {
  const names: string[] = []
  for (let s = scope; s; s = s.parent) names.push(...s.vars.map((v) => v.name), ...s.with.map((v) => v.name))
  return names
}

interface TemplateVisitor {
  /** `earlier`: an included file's variables declared before this one, which its value may use. */
  template(template: Template | undefined, earlier?: readonly string[]): void
  define(name: string): void
}

/**
 * Visits every template of a scenario in the order its values come into being, so that a check can
 * tell what exists when each template is used: `define` is called for a scenario variable after its
 * value's template, and for a regular expression's named groups after the pattern.
 */
function visitTemplates(scenario: Scenario, visit: TemplateVisitor): void {
  // Either set of values may be the one in force, so each is checked against what precedes it.
  for (const v of [...scenario.vars, ...scenario.simulator.vars]) {
    visit.template(v.value)
    visit.define(v.name)
  }
  for (const scope of scenario.includes) {
    scope.with.forEach((w) => visit.template(w.value))
    // A file's own variables may use the ones declared before them.
    scope.vars.forEach((v, i) => visit.template(v.value, scope.vars.slice(0, i).map((d) => d.name)))
  }
  visit.template(scenario.name)
  for (const p of scenario.prerequisites) {
    visit.template(p.name)
    p.run.forEach((t) => visit.template(t))
    visit.template(p.cwd)
    p.env.forEach((e) => visit.template(e.value))
    if (p.ready.kind === 'port') {
      visit.template(p.ready.port)
      visit.template(p.ready.host)
    } else if (p.ready.kind === 'stdout') {
      visitExpectation(p.ready.line, visit)
    }
  }
  for (const step of [...scenario.steps, ...scenario.teardown]) {
    visit.template(step.name)
    for (const t of stepTemplates(step)) visit.template(t)
    if ('expect' in step) for (const e of step.expect) visitExpectation(e, visit)
  }
}

function visitExpectation(e: Expectation, visit: TemplateVisitor): void {
  if (e.kind === 'line') visit.template(e.text)
  else if (e.kind === 'regex') {
    visit.template(e.pattern)
    for (const g of e.groups) visit.define(g)
  } else visit.template(payloadTemplate(e.payload))
}

/** The names a template refers to, also in malformed references (`${ssid` unclosed): one mistake, one message. */
function namesReferenced(template: Template): string[] {
  return [...[...template.source.matchAll(/\$\{([A-Za-z_][\w.]*)/g)].map((m) => m[1]!), ...references(template.parsed).map((r) => r.name)]
}

/**
 * Every variable name a scenario declares or uses: `vars`, `simulator.vars`, the `vars` and `with:`
 * of its includes, secrets, captures (named groups), `host.ip`, and every `${...}` reference,
 * `env.NAME` included. A `--var` whose name is not among them has no effect.
 */
export function variableNames(scenario: Scenario): Set<string> {
  const names = new Set<string>([HOST_IP, ...scenario.secrets.map((s) => s.name)])
  for (const scope of scenario.includes) for (const d of [...scope.vars, ...scope.with]) names.add(d.name)
  visitTemplates(scenario, {
    template: (t) => {
      if (t) for (const name of namesReferenced(t)) names.add(name)
    },
    define: (name) => names.add(name),
  })
  return names
}

/**
 * Reports, before anything runs, every reference to a variable that will not exist when the
 * template is used, every secret that names no variable, and variables nobody uses.
 */
export function checkVariables(scenario: Scenario, inputs: Pick<VariableInputs, 'cliVars' | 'env'>): Diagnostic[] {
  const out: Diagnostic[] = []
  const defined = new Set<string>([HOST_IP, ...inputs.cliVars.keys()])
  const used = new Set<string>()
  const check = (template: Template | undefined, extra: readonly string[] = []) => {
    if (!template) return
    const local = new Set([...extra, ...scopeNames(template.scope)])
    for (const name of namesReferenced(template)) used.add(name)
    references(template.parsed).forEach((ref, i) => {
      const span = template.refSpans?.[i] ?? template.span
      if (ref.fallback !== undefined) return
      if (ref.name.startsWith('env.')) {
        const name = ref.name.slice(4)
        if (inputs.env[name] === undefined) {
          out.push(error('undefined-variable', `environment variable \`${name}\` is not set`, span, `set it, or give a fallback: \`\${env.${name}:-value}\``))
        }
      } else if (!defined.has(ref.name) && !local.has(ref.name)) {
        const suggestion = didYouMean(ref.name, [...defined, ...local])
        out.push(
          error(
            'undefined-variable',
            `undefined variable \`${ref.name}\``,
            span,
            suggestion ? `did you mean \`${suggestion}\`?` : 'define it under `vars`, capture it with a named group, or pass `--var name=value`',
          ),
        )
      }
    })
  }
  visitTemplates(scenario, { template: check, define: (name) => defined.add(name) })
  const varNames = new Set([...scenario.vars, ...scenario.simulator.vars].map((v) => v.name))
  const secretNames = new Set(scenario.secrets.map((s) => s.name))
  for (const s of scenario.secrets) {
    if (!varNames.has(s.name) && !inputs.cliVars.has(s.name)) {
      const suggestion = didYouMean(s.name, [...varNames])
      out.push(error('undefined-variable', `secret \`${s.name}\` names no variable`, s.span, suggestion ? `did you mean \`${suggestion}\`?` : 'list names of `vars`'))
    }
  }
  for (const v of [...scenario.vars, ...scenario.simulator.vars]) {
    // No warning for an unused secret: its code frame would print the value.
    if (!used.has(v.name) && VARIABLE_NAME.test(v.name) && !secretNames.has(v.name)) out.push(warning('unused-variable', `variable \`${v.name}\` is never used`, v.span))
  }
  // Values can be looked at once every reference has one.
  if (!out.some((d) => d.severity === 'error')) out.push(...checkCommandValues(scenario, inputs))
  return out
}

function stepTemplates(step: Step): (Template | undefined)[] {
  switch (step.kind) {
    case 'send':
      return [step.command]
    case 'payload':
      return [payloadTemplate(step.payload)]
    default:
      return []
  }
}

function payloadTemplate(p: Payload): Template | undefined {
  return p.kind === 'text' ? p.text : undefined
}

/**
 * The values of a run: the scenario's `vars` templated in order, with `--var` winning; captures
 * added as steps run; and, for text from included files, the values of each include.
 */
export class Variables {
  private readonly values = new Map<string, string>()
  private readonly env: Readonly<Record<string, string | undefined>>
  private readonly secretNames: Set<string>
  private readonly scopeValues = new Map<IncludeScope, Map<string, string>>()
  private readonly includeSecrets: NamedSecret[] = []

  constructor(scenario: Scenario, inputs: VariableInputs) {
    this.env = inputs.env
    this.secretNames = new Set(scenario.secrets.map((s) => s.name))
    this.values.set(HOST_IP, inputs.cliVars.get(HOST_IP) ?? inputs.hostIp)
    const replacements = new Map(inputs.onSimulator ? scenario.simulator.vars.map((v) => [v.name, v]) : [])
    const decls = [...scenario.vars.map((v) => replacements.get(v.name) ?? v), ...[...replacements.values()].filter((r) => !scenario.vars.some((v) => v.name === r.name))]
    for (const v of decls) {
      const fromCli = inputs.cliVars.get(v.name)
      this.values.set(v.name, fromCli ?? renderTemplate(v.value.parsed, this.scope))
    }
    for (const [name, value] of inputs.cliVars) if (!this.values.has(name)) this.values.set(name, value)
    // Work out include values now where possible, so that their secrets are masked from the start.
    for (const scope of scenario.includes) {
      try {
        const values = this.valuesOf(scope)
        for (const name of scope.secrets) {
          const value = values.get(name)
          if (value) this.includeSecrets.push({ name, value })
        }
      } catch (e) {
        if (!(e instanceof UndefinedVariableError)) throw e // a capture not made yet: computed when used
      }
    }
  }

  /** The run's own scope: scenario and command-line variables, captures, `host.ip`, `env.*`. */
  readonly scope: Scope = (name) => {
    if (name.startsWith('env.')) return this.env[name.slice(4)]
    return this.values.get(name)
  }

  private scopeFor(scope: IncludeScope | undefined): Scope {
    if (!scope) return this.scope
    return (name) => {
      if (!name.startsWith('env.')) {
        for (let s: IncludeScope | undefined = scope; s; s = s.parent) {
          const value = this.valuesOf(s).get(name)
          if (value !== undefined) return value
        }
      }
      return this.scope(name)
    }
  }

  /** An include's values: `with:` (in the includer's scope) over its file's `vars`, computed once. */
  private valuesOf(scope: IncludeScope): Map<string, string> {
    const known = this.scopeValues.get(scope)
    if (known) return known
    const values = new Map<string, string>()
    const parent = this.scopeFor(scope.parent)
    const given = new Map(scope.with.map((w) => [w.name, renderTemplate(w.value.parsed, parent)]))
    const local: Scope = (name) => values.get(name) ?? parent(name)
    for (const v of scope.vars) values.set(v.name, given.get(v.name) ?? renderTemplate(v.value.parsed, local))
    this.scopeValues.set(scope, values)
    return values
  }

  get(name: string): string | undefined {
    return this.values.get(name)
  }

  /** Captures from a regular expression's named groups; later steps see them. */
  set(name: string, value: string): void {
    this.values.set(name, value)
  }

  /** Whether a variable is listed in `secrets` (a capture into it makes a new secret). */
  isSecret(name: string): boolean {
    return this.secretNames.has(name)
  }

  render(template: Template, escape?: (value: string) => string): string {
    return renderTemplate(template.parsed, this.scopeFor(template.scope), escape)
  }

  /**
   * The text and where secrets were templated into it: inside each substituted value, the places
   * that hold a secret's value (a variable that is a secret, or one built from it). The template's
   * own literal text is never taken for a secret.
   */
  renderWithSecrets(template: Template): TextWithSecrets {
    const scope = this.scopeFor(template.scope)
    const secrets = this.namedSecrets()
    let text = ''
    const spans: TextWithSecrets['secrets'] = []
    for (const part of template.parsed.parts) {
      if (part.kind === 'text') {
        text += part.text
        continue
      }
      const value = scope(part.name) ?? part.fallback
      if (value === undefined) throw new UndefinedVariableError(part.name)
      spans.push(...secretsIn(value, secrets, text.length))
      text += value
    }
    return { text, secrets: spans }
  }

  /**
   * A `send` command: each value templated inside a double-quoted parameter gets the firmware's
   * escapes (`\\`, `\"`, `\,`), so that it stays that one parameter whatever it holds; a value
   * outside quotes goes in as it is (it may be meant as several parameters). Secrets are located in
   * the escaped text, where the device's echo will show them.
   */
  renderCommand(template: Template): CommandText {
    const scope = this.scopeFor(template.scope)
    const secrets = this.namedSecrets()
    let text = ''
    let state = LINE_START
    let lineBreakIn: string | undefined
    const spans: TextWithSecrets['secrets'] = []
    for (const part of template.parsed.parts) {
      if (part.kind === 'text') {
        text += part.text
        state = quoteStateAfter(part.text, state)
        continue
      }
      const raw = scope(part.name) ?? part.fallback
      if (raw === undefined) throw new UndefinedVariableError(part.name)
      if (lineBreakIn === undefined && hasLineBreak(raw)) lineBreakIn = part.name
      const value = state.inside ? escapeAtString(raw) : raw
      spans.push(...secretsIn(value, secrets, text.length))
      text += value
    }
    return { text, secrets: spans, ...(lineBreakIn !== undefined ? { lineBreakIn } : {}) }
  }

  /**
   * The value a reference of `template` has now, or undefined when it has none yet (a capture still
   * to be made): for checks before the run.
   */
  valueOf(template: Template, name: string, fallback?: string): string | undefined {
    try {
      return this.scopeFor(template.scope)(name) ?? fallback
    } catch (e) {
      if (e instanceof UndefinedVariableError) return undefined
      throw e
    }
  }

  /** Values to mask in every output. */
  secretValues(): string[] {
    return this.namedSecrets().map((s) => s.value)
  }

  /**
   * The secrets with the names of their variables (an included file's secret keeps its own name),
   * each also as it reads escaped inside a quoted command parameter: the device echoes that form.
   */
  namedSecrets(): NamedSecret[] {
    const own: NamedSecret[] = []
    for (const name of this.secretNames) {
      const value = this.values.get(name)
      if (value) own.push({ name, value })
    }
    const all = [...own, ...this.includeSecrets]
    return [...all, ...all.flatMap((s) => (escapeAtString(s.value) !== s.value ? [{ name: s.name, value: escapeAtString(s.value) }] : []))]
  }
}

export { UndefinedVariableError }
