import { readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import type { Diagnostic, Span } from '../diagnostics/diagnostic.ts'
import { error } from '../diagnostics/diagnostic.ts'
import { describeFsError } from '../diagnostics/fs-error.ts'
import { didYouMean } from '../diagnostics/suggest.ts'
import { checkDuration } from './duration.ts'
import { checkSchema } from './schema-check.ts'
import { parseTemplate, references } from './template.ts'
import type { DataRecordKind, Expectation, IncludeScope, Payload, Prerequisite, Readiness, Scenario, Step, Template, VariableDecl } from './types.ts'
import { YamlSource } from './yaml-source.ts'
import type { Path } from './yaml-source.ts'

const DEFAULT_TIMEOUT_MS = 5000
const DEFAULT_READY_TIMEOUT_MS = 10_000
const DEFAULT_RETRY_DELAY_MS = 1000
const MAX_INCLUDE_DEPTH = 16
const ACTIONS = ['send', 'payload', 'write', 'wait', 'sleep', 'include', 'repeat'] as const
/** Options that belong to one action only. */
const ACTION_OPTIONS: Record<string, (typeof ACTIONS)[number]> = { before: 'write', after: 'write', gap: 'write', poll: 'send', steps: 'repeat' }
/** `+++` leaves passthrough when it comes alone, with quiet around it (TCP-IP AT commands, AT+CIPSEND). */
const LEAVE_PASSTHROUGH = { before: 50, after: 1000 }
const LEAVE_PASSTHROUGH_TEXT = '+++'
/** How many steps `repeat` blocks may make in all: beyond, a scenario is a mistake or a denial of service. */
const MAX_REPEATED_STEPS = 1_000_000
/** What an included file may hold: its steps, and the variables they use. */
const INCLUDABLE = new Set(['name', 'description', 'doc', 'tags', 'vars', 'secrets', 'defaults', 'steps'])
/** What an `include` step may carry besides `include`. */
const INCLUDE_STEP_KEYS = new Set(['include', 'with', 'name', 'doc'])

type Raw = Record<string, unknown>

export interface NormalizeContext {
  /** The user's working directory, for paths in messages. */
  cwd: string
  /** JSON pointers of values the schema rejected: those parts are skipped, not normalised. */
  badPaths: readonly string[]
  /** Absolute paths of the files including this one, outermost first (for cycle detection). */
  chain: readonly string[]
  /** The variables of the include this file is read through, if any. */
  scope?: IncludeScope
  /** Text of every file read, for code frames; includes add theirs. */
  sources: Map<string, string>
  /** Every include scope met, in order. */
  includes: IncludeScope[]
}

/** Whether a step writes and then waits for an answer, whose time a `budget` can limit. */
export function timesAnswer(step: Step): boolean {
  return (step.kind === 'send' && step.awaitsAnswer) || step.kind === 'payload' || (step.kind === 'write' && step.expect.length > 0)
}

/** `defaults.budget` on the steps it can time that set no `budget` of their own. */
function withDefaultBudget(steps: Step[], budgetMs: number | undefined): Step[] {
  if (budgetMs === undefined) return steps
  for (const step of steps) if (step.budgetMs === undefined && timesAnswer(step)) step.budgetMs = budgetMs
  return steps
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function pointer(path: Path): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('')
}

/**
 * Turns a parsed document into a typed Scenario, checking what a JSON Schema cannot say well: one
 * action per step, template syntax, regular expressions, mutually exclusive forms, includes. Parts
 * the schema rejected are skipped, so that one pass reports every problem of a file.
 */
export class Normalizer {
  readonly diagnostics: Diagnostic[] = []
  private readonly source: YamlSource
  private readonly dir: string
  private readonly ctx: NormalizeContext

  constructor(source: YamlSource, dir: string, ctx: NormalizeContext) {
    this.source = source
    this.dir = dir
    this.ctx = ctx
  }

  /** Whether the schema rejected this value or something inside it. */
  private bad(path: Path): boolean {
    const ptr = pointer(path)
    return this.ctx.badPaths.some((b) => b === ptr || b.startsWith(`${ptr}/`))
  }

  scenario(raw: Raw): Scenario {
    const defaults = isObject(raw.defaults) && !this.bad(['defaults']) ? raw.defaults : {}
    const defaultTimeoutMs = this.duration(defaults.timeout, ['defaults', 'timeout']) ?? DEFAULT_TIMEOUT_MS
    const defaultBudgetMs = this.duration(defaults.budget, ['defaults', 'budget'])
    const device = isObject(raw.device) && !this.bad(['device']) ? raw.device : {}
    const simulator = isObject(raw.simulator) && !this.bad(['simulator']) ? raw.simulator : {}
    const strings = (key: string) => (Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []).map(String)
    return {
      file: this.source.file,
      dir: this.dir,
      name: this.template(typeof raw.name === 'string' ? raw.name : '(unnamed)', ['name']),
      ...(typeof raw.description === 'string' ? { description: raw.description } : {}),
      ...(typeof raw.doc === 'string' ? { doc: raw.doc } : {}),
      tags: strings('tags'),
      vars: this.vars(raw.vars, ['vars']),
      secrets: strings('secrets').map((name, i) => ({ name, span: this.span(['secrets', i]) })),
      defaultTimeoutMs,
      device: {
        reset: (device.reset ?? 'none') as 'none' | 'hard' | 'soft',
        resetSpan: this.span(device.reset !== undefined ? ['device', 'reset'] : []),
        ...(device.baudRate !== undefined ? { baudRate: device.baudRate as number } : {}),
        ...(device.echo !== undefined ? { echo: device.echo as boolean } : {}),
      },
      simulator: {
        vars: this.vars(simulator.vars, ['simulator', 'vars']),
        ...(typeof simulator.profile === 'string' ? { profile: resolve(this.dir, simulator.profile) } : {}),
      },
      prerequisites: (Array.isArray(raw.prerequisites) ? (raw.prerequisites as Raw[]) : [])
        .map((p, i) => (this.bad(['prerequisites', i]) ? undefined : this.prerequisite(p, i)))
        .filter((p): p is Prerequisite => p !== undefined),
      steps: withDefaultBudget(this.steps(raw.steps, 'steps', defaultTimeoutMs), defaultBudgetMs),
      teardown: withDefaultBudget(this.steps(raw.teardown, 'teardown', defaultTimeoutMs), defaultBudgetMs),
      includes: this.ctx.includes,
    }
  }

  private vars(raw: unknown, path: Path): VariableDecl[] {
    if (!isObject(raw)) return []
    // A value of the wrong type still declares its name, so its uses are not reported as undefined.
    return Object.entries(raw).map(([name, value]) => ({
      name,
      value: this.template(typeof value === 'object' ? '' : scalarText(value), [...path, name]),
      span: this.keySpan(path, name),
    }))
  }

  /** The steps of a list, with included files spliced in, `repeat` blocks unrolled, numbered in order. */
  steps(raw: unknown, phase: 'steps' | 'teardown', defaultTimeoutMs: number, base: Path = [phase]): Step[] {
    if (!Array.isArray(raw)) return []
    const out: Step[] = []
    raw.forEach((s, i) => {
      const path: Path = [...base, i]
      if (this.bad(path) || !isObject(s)) return
      const only = ACTIONS.filter((a) => s[a] !== undefined).length === 1
      if (s.include !== undefined && only) {
        out.push(...this.include(s, path, phase, defaultTimeoutMs))
        return
      }
      if (s.repeat !== undefined && only) {
        out.push(...this.repeat(s, path, phase, defaultTimeoutMs, out.length))
        return
      }
      const step = this.step(s, path, phase, out.length, defaultTimeoutMs)
      if (step) out.push(step)
    })
    if (base.length === 1) out.forEach((step, index) => (step.index = index))
    return out
  }

  /** `repeat: N` with `steps:`: the block's steps, N times, each copy knowing its iteration. */
  private repeat(raw: Raw, path: Path, phase: 'steps' | 'teardown', defaultTimeoutMs: number, already: number): Step[] {
    for (const key of Object.keys(raw)) {
      if (key !== 'repeat' && key !== 'steps' && key !== 'name') {
        this.diagnostics.push(error('step-action', `a \`repeat\` block takes \`steps\` (and a \`name\`), not \`${key}\``, this.keySpan(path, key), 'put options on the steps of the block'))
      }
    }
    if (raw.steps === undefined) {
      this.diagnostics.push(error('missing-key', 'a `repeat` block needs `steps`: the steps to repeat', this.keySpan(path, 'repeat')))
      return []
    }
    const times = raw.repeat as number
    const block = this.steps(raw.steps, phase, defaultTimeoutMs, [...path, 'steps'])
    if (already + block.length * times > MAX_REPEATED_STEPS) {
      this.diagnostics.push(error('bad-value', `\`repeat: ${times}\` makes ${block.length * times} steps; at most ${MAX_REPEATED_STEPS} in all`, this.span([...path, 'repeat'])))
      return []
    }
    const out: Step[] = []
    for (let index = 1; index <= times; index++) {
      for (const step of block) out.push({ ...step, iterations: [{ index, of: times }, ...(step.iterations ?? [])] })
    }
    return out
  }

  /** Reads an included file and returns its steps, evaluated with its variables and `with:`. */
  private include(raw: Raw, path: Path, phase: 'steps' | 'teardown', defaultTimeoutMs: number): Step[] {
    const target = raw.include as string
    const valueSpan = this.span([...path, 'include'])
    for (const key of Object.keys(raw)) {
      if (!INCLUDE_STEP_KEYS.has(key)) {
        this.diagnostics.push(error('step-action', `an \`include\` step takes \`with\`, \`name\` and \`doc\`, not \`${key}\``, this.keySpan(path, key), 'put options on the steps of the included file'))
      }
    }
    const file = resolve(this.dir, target)
    const display = displayPath(this.source.file, target)
    const chain = [...this.ctx.chain, file]
    if (this.ctx.chain.includes(file)) {
      const names = [...this.ctx.chain.slice(this.ctx.chain.indexOf(file)), file].map((f) => relative(this.ctx.cwd, f) || f)
      this.diagnostics.push(error('include-cycle', `include cycle: ${names.join(' → ')}`, valueSpan, 'a file cannot include itself, directly or through others'))
      return []
    }
    if (chain.length > MAX_INCLUDE_DEPTH) {
      this.diagnostics.push(error('include-cycle', `includes nested deeper than ${MAX_INCLUDE_DEPTH} files`, valueSpan))
      return []
    }
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch (e) {
      this.diagnostics.push(error('include-missing', `cannot include ${display}: ${describeFsError(e)}`, valueSpan))
      return []
    }
    this.ctx.sources.set(display, text)
    const child = new YamlSource(display, text)
    if (child.diagnostics.length > 0) {
      this.diagnostics.push(...child.diagnostics)
      return []
    }
    const value: unknown = child.doc.toJS()
    if (!isObject(value)) {
      this.diagnostics.push(error('include-missing', `${display} has no \`steps\` to include`, valueSpan))
      return []
    }
    // An included file is a scenario without a name of its own; the rest of the schema applies.
    const schema = checkSchema(child, value, { nameOptional: true })
    this.diagnostics.push(...schema.diagnostics)
    for (const key of Object.keys(value)) {
      if (!INCLUDABLE.has(key) && !schema.badPaths.includes('')) {
        const keyNode = child.keyAt([], key)
        this.diagnostics.push(
          error('include-content', `an included file contributes only its \`steps\` (with its \`vars\`), not \`${key}\``, keyNode ? child.spanOfNode(keyNode) : child.spanAt([key]), `move \`${key}\` to the scenario that includes ${display}`),
        )
      }
    }
    const scope: IncludeScope = { file: display, vars: [], with: [], secrets: [], ...(this.ctx.scope ? { parent: this.ctx.scope } : {}) }
    const inner = new Normalizer(child, dirname(file), { ...this.ctx, badPaths: schema.badPaths, chain, scope })
    scope.vars.push(...inner.vars(value.vars, ['vars']))
    scope.with.push(...this.vars(raw.with, [...path, 'with']))
    scope.secrets.push(...(Array.isArray(value.secrets) ? value.secrets.map(String) : []))
    const declared = new Set(scope.vars.map((v) => v.name))
    for (const w of scope.with) {
      if (!declared.has(w.name)) {
        const suggestion = didYouMean(w.name, [...declared])
        this.diagnostics.push(
          error('undefined-variable', `\`with\` sets \`${w.name}\`, which ${display} does not declare under \`vars\``, w.span, suggestion ? `did you mean \`${suggestion}\`?` : `it declares: ${[...declared].join(', ') || 'nothing'}`),
        )
      }
    }
    this.ctx.includes.push(scope)
    const innerDefaults = isObject(value.defaults) ? value.defaults : {}
    const steps = withDefaultBudget(
      inner.steps(value.steps, 'steps', inner.duration(innerDefaults.timeout, ['defaults', 'timeout']) ?? defaultTimeoutMs),
      inner.duration(innerDefaults.budget, ['defaults', 'budget']),
    )
    this.diagnostics.push(...inner.diagnostics)
    return steps.map((step) => ({ ...step, phase }))
  }

  private step(raw: Raw, path: Path, phase: 'steps' | 'teardown', index: number, defaultTimeoutMs: number): Step | undefined {
    const step = this.stepOf(raw, path, phase, index, defaultTimeoutMs)
    if (step && raw.budget !== undefined && !timesAnswer(step)) {
      const why = step.kind === 'send' || step.kind === 'write' ? `this \`${step.kind}\` waits for no answer (no \`expect\`)` : `a \`${step.kind}\` step writes nothing to answer`
      this.diagnostics.push(error('step-action', `\`budget\` limits how long the device takes to answer a write; ${why}`, this.keySpan(path, 'budget'), 'put it on the `send` or `payload` step whose answer to time'))
    }
    return step
  }

  private stepOf(raw: Raw, path: Path, phase: 'steps' | 'teardown', index: number, defaultTimeoutMs: number): Step | undefined {
    const actions = ACTIONS.filter((a) => raw[a] !== undefined)
    if (actions.length !== 1) {
      const message =
        actions.length === 0
          ? 'a step needs one action: `send`, `payload`, `write`, `wait`, `sleep`, `include` or `repeat`'
          : `a step has exactly one action, this one has ${actions.map((a) => `\`${a}\``).join(' and ')}`
      const span = actions.length > 1 ? this.keySpan(path, actions[1]!) : this.span(path)
      this.diagnostics.push(error('step-action', message, span, actions.length > 1 ? 'split it into two steps' : undefined))
      return undefined
    }
    const action = actions[0]!
    if (raw.with !== undefined) this.diagnostics.push(error('step-action', '`with` goes with `include`', this.keySpan(path, 'with')))
    for (const [option, owner] of Object.entries(ACTION_OPTIONS)) {
      if (raw[option] !== undefined && action !== owner) {
        this.diagnostics.push(error('step-action', `\`${option}\` goes with \`${owner}\`, not \`${action}\``, this.keySpan(path, option)))
      }
    }
    const timeoutTemplate = typeof raw.timeout === 'string' && raw.timeout.includes('${') ? this.template(raw.timeout, [...path, 'timeout']) : undefined
    const timeoutMs = (timeoutTemplate ? undefined : this.duration(raw.timeout, [...path, 'timeout'])) ?? defaultTimeoutMs
    const span = this.span(path)
    const nameTemplate = (fallback: string) =>
      raw.name !== undefined ? this.template(raw.name as string, [...path, 'name']) : this.template(fallback, [...path, action])
    const retry = raw.retry as Raw | undefined
    const budgetMs = this.duration(raw.budget, [...path, 'budget'])
    const common = {
      phase,
      index,
      span,
      timeoutMs,
      ...(timeoutTemplate ? { timeoutTemplate } : {}),
      ...(budgetMs !== undefined ? { budgetMs } : {}),
      absent: raw.absent === undefined ? [] : this.expectations(raw.absent, [...path, 'absent']),
      ...(retry
        ? { retry: { times: retry.times as number, delayMs: this.duration(retry.delay, [...path, 'retry', 'delay']) ?? DEFAULT_RETRY_DELAY_MS } }
        : {}),
      optional: raw.optional === true,
      ...(raw.doc !== undefined ? { doc: raw.doc as string } : {}),
    }
    const expectPath = [...path, 'expect']
    switch (action) {
      case 'include':
      case 'repeat':
        return undefined // handled by steps()
      case 'send': {
        const command = raw.send as string
        const expect = raw.expect === undefined ? [this.impliedOk([...path, 'send'])] : this.expectations(raw.expect, expectPath)
        const poll = isObject(raw.poll) ? this.duration(raw.poll.every, [...path, 'poll', 'every']) : undefined
        if (poll !== undefined && expect.length === 0) this.diagnostics.push(error('step-action', '`poll` needs something to wait for in `expect`', this.keySpan(path, 'poll')))
        return {
          ...common,
          kind: 'send',
          name: nameTemplate(command),
          command: this.template(command, [...path, 'send']),
          expect,
          awaitsAnswer: expect.length > 0,
          ...(poll !== undefined ? { poll: { everyMs: Math.max(1, poll) } } : {}),
        }
      }
      case 'write': {
        const payload = this.payload(raw.write, [...path, 'write'])
        const expect = raw.expect === undefined ? [] : this.expectations(raw.expect, expectPath)
        const leaving = raw.write === LEAVE_PASSTHROUGH_TEXT
        return {
          ...common,
          kind: 'write',
          name: nameTemplate(`write ${describePayload(raw.write)}`),
          payload,
          expect,
          beforeMs: this.duration(raw.before, [...path, 'before']) ?? (leaving ? LEAVE_PASSTHROUGH.before : 0),
          afterMs: this.duration(raw.after, [...path, 'after']) ?? (leaving ? LEAVE_PASSTHROUGH.after : 0),
          gapMs: this.duration(raw.gap, [...path, 'gap']) ?? 0,
        }
      }
      case 'payload': {
        const payload = this.payload(raw.payload, [...path, 'payload'])
        const expect = raw.expect === undefined ? [] : this.expectations(raw.expect, expectPath)
        return { ...common, kind: 'payload', name: nameTemplate(`payload ${describePayload(raw.payload)}`), payload, expect }
      }
      case 'wait': {
        if (raw.expect !== undefined) {
          this.diagnostics.push(
            error('step-action', 'a `wait` step names its lines in `wait:` itself, not in `expect`', this.keySpan(path, 'expect')),
          )
        }
        const expect = this.expectations(raw.wait, [...path, 'wait'])
        const label = Array.isArray(raw.wait) ? raw.wait.map(describeExpectation).join(', ') : describeExpectation(raw.wait)
        return { ...common, kind: 'wait', name: nameTemplate(`wait ${label}`), expect }
      }
      case 'sleep': {
        const durationMs = this.duration(raw.sleep, [...path, 'sleep']) ?? 0
        if (raw.expect !== undefined) {
          this.diagnostics.push(error('step-action', 'a `sleep` step cannot `expect` anything', this.keySpan(path, 'expect')))
        }
        return { ...common, kind: 'sleep', name: nameTemplate(`sleep ${String(raw.sleep)}`), durationMs }
      }
    }
  }

  private impliedOk(path: Path): Expectation {
    const span = this.span(path)
    return { kind: 'line', text: { source: 'OK', parsed: parseTemplate('OK'), span }, span }
  }

  private expectations(raw: unknown, path: Path): Expectation[] {
    if (Array.isArray(raw)) return raw.map((e, i) => this.expectation(e, [...path, i]))
    return [this.expectation(raw, path)]
  }

  expectation(raw: unknown, path: Path): Expectation {
    const span = this.span(path)
    if (typeof raw === 'object' && raw !== null) {
      const r = raw as Raw
      return {
        kind: 'data',
        payload: this.payload(r.data, [...path, 'data']),
        ...(typeof r.kind === 'string' ? { record: r.kind as DataRecordKind } : {}),
        ...(r.link !== undefined ? { link: r.link as number } : {}),
        ...(typeof r.topic === 'string' ? { topic: r.topic } : {}),
        span,
      }
    }
    const text = String(raw)
    const regex = /^\/(.*)\/([a-z]*)$/s.exec(text)
    if (regex && text.length >= 2) {
      const [, pattern = '', flags = ''] = regex
      const template = this.template(pattern, path)
      const groups: string[] = []
      try {
        // Checked with placeholder values: the real ones are known only at run time.
        const probe = new RegExp(pattern.replace(/\$\{[^}]*\}/g, 'x'), flags)
        groups.push(...namedGroups(probe.source))
      } catch (e) {
        this.diagnostics.push(error('bad-regex', `invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, span))
      }
      return { kind: 'regex', pattern: template, flags, groups, span }
    }
    return { kind: 'line', text: this.template(text, path), span }
  }

  private payload(raw: unknown, path: Path): Payload {
    const span = this.span(path)
    if (typeof raw === 'string') return { kind: 'text', text: this.template(raw, path), repeat: 1, span }
    const r = (raw ?? {}) as Raw
    const forms = ['hex', 'base64', 'file', 'text'].filter((k) => r[k] !== undefined)
    if (forms.length !== 1 || (r.repeat !== undefined && forms[0] !== 'text')) {
      this.diagnostics.push(
        error(
          'bad-value',
          forms.length === 0
            ? 'a payload needs one of `hex`, `base64`, `file` or `text`'
            : forms.length > 1
              ? `a payload has one form, this one has ${forms.map((f) => `\`${f}\``).join(' and ')}`
              : '`repeat` goes with `text`',
          span,
        ),
      )
      return { kind: 'bytes', bytes: new Uint8Array(), span, invalid: true }
    }
    switch (forms[0]) {
      case 'hex':
        return { kind: 'bytes', bytes: Buffer.from((r.hex as string).replace(/[\s:]/g, ''), 'hex'), span }
      case 'base64':
        return { kind: 'bytes', bytes: Buffer.from((r.base64 as string).replace(/\s/g, ''), 'base64'), span }
      case 'file': {
        const file = resolve(this.dir, r.file as string)
        try {
          return { kind: 'bytes', bytes: readFileSync(file), span }
        } catch (e) {
          this.diagnostics.push(error('file-unreadable', `cannot read payload file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, this.span([...path, 'file'])))
          return { kind: 'bytes', bytes: new Uint8Array(), span, invalid: true }
        }
      }
      default:
        return { kind: 'text', text: this.template(r.text as string, [...path, 'text']), repeat: (r.repeat as number | undefined) ?? 1, span }
    }
  }

  private prerequisite(raw: Raw, index: number): Prerequisite {
    const path: Path = ['prerequisites', index]
    const argv = Array.isArray(raw.run) ? (raw.run as unknown[]).map(String) : this.commandLine(raw.run as string, [...path, 'run'])
    const run = argv.map((arg, i) => this.template(arg, Array.isArray(raw.run) ? [...path, 'run', i] : [...path, 'run']))
    const name = raw.name !== undefined ? this.template(raw.name as string, [...path, 'name']) : this.template(argv.join(' '), [...path, 'run'])
    return {
      index,
      name,
      run,
      ...(raw.cwd !== undefined ? { cwd: this.template(raw.cwd as string, [...path, 'cwd']) } : {}),
      env: Object.entries((raw.env ?? {}) as Raw).map(([k, v]) => ({ name: k, value: this.template(String(v), [...path, 'env', k]) })),
      ready: this.readiness((raw.ready ?? undefined) as Raw | undefined, [...path, 'ready']),
      span: this.span(path),
    }
  }

  /** A `run:` string split into words; a quote left open is an error at the quote, not a word that runs to the end. */
  private commandLine(line: string, path: Path): string[] {
    const split = splitCommandLine(line)
    if (split.openQuote !== undefined) {
      const quote = line[split.openQuote]!
      const at = this.referenceSpans(path, [line.slice(split.openQuote)])[0]
      this.diagnostics.push(
        error(
          'bad-value',
          `the ${quote === '"' ? 'double' : 'single'} quote opened here in \`run\` is never closed`,
          at ? { ...at, end: { line: at.start.line, col: at.start.col + 1 } } : this.span(path),
          `close it with \`${quote}\`, or write \`run\` as a list of arguments, which needs no shell quoting`,
        ),
      )
    }
    return split.words
  }

  private readiness(raw: Raw | undefined, path: Path): Readiness {
    if (!raw) return { kind: 'started' }
    const forms = ['port', 'stdout', 'delay'].filter((k) => raw[k] !== undefined)
    if (forms.length !== 1) {
      this.diagnostics.push(
        error('bad-value', forms.length === 0 ? '`ready` needs one of `port`, `stdout` or `delay`' : `\`ready\` has one form, this one has ${forms.map((f) => `\`${f}\``).join(' and ')}`, this.span(path)),
      )
      return { kind: 'started' }
    }
    const timeoutMs = this.duration(raw.timeout, [...path, 'timeout']) ?? DEFAULT_READY_TIMEOUT_MS
    if (raw.host !== undefined && forms[0] !== 'port') {
      this.diagnostics.push(error('bad-value', '`host` goes with `port`', this.keySpan(path, 'host')))
    }
    switch (forms[0]) {
      case 'port':
        return {
          kind: 'port',
          port: this.template(String(raw.port), [...path, 'port']),
          ...(raw.host !== undefined ? { host: this.template(raw.host as string, [...path, 'host']) } : {}),
          timeoutMs,
        }
      case 'stdout':
        return { kind: 'stdout', line: this.expectation(raw.stdout, [...path, 'stdout']), timeoutMs }
      default:
        return { kind: 'delay', ms: this.duration(raw.delay, [...path, 'delay']) ?? 0 }
    }
  }

  duration(raw: unknown, path: Path): number | undefined {
    if (raw === undefined) return undefined
    const checked = checkDuration(raw)
    if ('problem' in checked) this.diagnostics.push(error('bad-duration', checked.problem, this.span(path), checked.hint))
    return 'ms' in checked ? checked.ms : undefined
  }

  template(text: string, path: Path): Template {
    const span = this.span(path)
    const parsed = parseTemplate(text)
    if (parsed.error) {
      const at = this.referenceSpans(path, [text.slice(parsed.error.offset, parsed.error.offset + 12)])[0]
      this.diagnostics.push(error('bad-value', parsed.error.message, at ? { ...at, end: { ...at.end, col: at.start.col + 2 } } : span))
    }
    const refs = references(parsed)
    const refSpans = refs.length > 0 ? this.referenceSpans(path, refs.map((r) => text.slice(r.offset, r.offset + r.length))) : undefined
    return { source: text, parsed, span, ...(refSpans ? { refSpans } : {}), ...(this.ctx.scope ? { scope: this.ctx.scope } : {}) }
  }

  /** Finds each `${...}` in the file text of the node, in order, so a message can point at it. */
  private referenceSpans(path: Path, texts: string[]): (Span | undefined)[] {
    const node = this.source.nodeAt(path)
    if (!node?.range) return texts.map(() => undefined)
    const [start, end] = node.range
    const raw = this.source.text.slice(start, end)
    let cursor = 0
    return texts.map((t) => {
      const at = raw.indexOf(t, cursor)
      if (at < 0) return undefined
      cursor = at + t.length
      return this.source.spanOf(start + at, start + at + t.length)
    })
  }

  span(path: Path): Span {
    return this.source.spanAt(path)
  }

  private keySpan(path: Path, key: string): Span {
    const node = this.source.keyAt(path, key)
    return node ? this.source.spanOfNode(node) : this.span(path)
  }
}

function namedGroups(pattern: string): string[] {
  return [...pattern.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!)
}

function describeExpectation(raw: unknown): string {
  if (typeof raw === 'object' && raw !== null) return `data ${describePayload((raw as Raw).data)}`
  return String(raw)
}

function describePayload(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw)
  const r = (raw ?? {}) as Raw
  if (r.hex !== undefined) return `hex ${scalarText(r.hex)}`
  if (r.base64 !== undefined) return `base64 ${scalarText(r.base64)}`
  if (r.file !== undefined) return `file ${scalarText(r.file)}`
  if (r.text !== undefined) return `${JSON.stringify(r.text)}${r.repeat !== undefined ? ` × ${scalarText(r.repeat)}` : ''}`
  return '(bytes)'
}

/**
 * Splits a command line into words the way a POSIX shell would, without expanding anything.
 * `openQuote` is the offset of a quote that is never closed: a shell would refuse the line.
 */
export function splitCommandLine(line: string): { words: string[]; openQuote?: number } {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  let quoteAt = 0
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i]
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
      quoteAt = i
      inWord = true
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[++i]
      inWord = true
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word)
      word = ''
      inWord = false
    } else {
      word += ch
      inWord = true
    }
  }
  if (inWord) words.push(word)
  return quote ? { words, openQuote: quoteAt } : { words }
}

/** An included file's path as messages show it: next to the file that includes it. */
function displayPath(includer: string, target: string): string {
  return join(dirname(includer), target)
}

/** A YAML scalar as written (the schema has checked its type already); anything else as JSON. */
function scalarText(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined ? String(value) : JSON.stringify(value)
}
