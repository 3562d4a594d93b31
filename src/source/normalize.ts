import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Diagnostic, Span } from '../diagnostics/diagnostic.ts'
import { error } from '../diagnostics/diagnostic.ts'
import { parseDuration } from './duration.ts'
import { parseTemplate } from './template.ts'
import type { Expectation, Payload, Prerequisite, Readiness, Scenario, Step, Template, VariableDecl } from './types.ts'
import type { Path, YamlSource } from './yaml-source.ts'

const DEFAULT_TIMEOUT_MS = 5000
const DEFAULT_READY_TIMEOUT_MS = 10_000
const DEFAULT_RETRY_DELAY_MS = 1000
const ACTIONS = ['send', 'payload', 'wait', 'sleep'] as const

type Raw = Record<string, unknown>

/**
 * Turns a schema-valid document into a typed Scenario, checking what a JSON Schema cannot say
 * well: one action per step, template syntax, regular expressions, mutually exclusive forms.
 */
export class Normalizer {
  readonly diagnostics: Diagnostic[] = []
  private readonly source: YamlSource
  private readonly dir: string

  constructor(source: YamlSource, dir: string) {
    this.source = source
    this.dir = dir
  }

  scenario(raw: Raw): Scenario {
    const defaults = (raw.defaults ?? {}) as Raw
    const defaultTimeoutMs = this.duration(defaults.timeout, ['defaults', 'timeout']) ?? DEFAULT_TIMEOUT_MS
    const device = (raw.device ?? {}) as Raw
    const vars = this.vars((raw.vars ?? {}) as Raw, ['vars'])
    const simulator = (raw.simulator ?? {}) as Raw
    return {
      file: this.source.file,
      dir: this.dir,
      name: this.template(raw.name as string, ['name']),
      ...(raw.description !== undefined ? { description: raw.description as string } : {}),
      ...(raw.doc !== undefined ? { doc: raw.doc as string } : {}),
      tags: (raw.tags ?? []) as string[],
      vars,
      secrets: ((raw.secrets ?? []) as string[]).map((name, i) => ({ name, span: this.span(['secrets', i]) })),
      defaultTimeoutMs,
      device: {
        reset: (device.reset ?? 'none') as 'none' | 'hard' | 'soft',
        ...(device.baudRate !== undefined ? { baudRate: device.baudRate as number } : {}),
        ...(device.echo !== undefined ? { echo: device.echo as boolean } : {}),
      },
      simulator: {
        vars: this.vars((simulator.vars ?? {}) as Raw, ['simulator', 'vars']),
        ...(simulator.profile !== undefined ? { profile: resolve(this.dir, simulator.profile as string) } : {}),
      },
      prerequisites: ((raw.prerequisites ?? []) as Raw[]).map((p, i) => this.prerequisite(p, i)),
      steps: this.steps((raw.steps ?? []) as Raw[], 'steps', defaultTimeoutMs),
      teardown: this.steps((raw.teardown ?? []) as Raw[], 'teardown', defaultTimeoutMs),
    }
  }

  private vars(raw: Raw, path: Path): VariableDecl[] {
    return Object.entries(raw).map(([name, value]) => ({
      name,
      value: this.template(String(value), [...path, name]),
      span: this.keySpan(path, name),
    }))
  }

  private steps(raw: Raw[], phase: 'steps' | 'teardown', defaultTimeoutMs: number): Step[] {
    const out: Step[] = []
    raw.forEach((s, index) => {
      const step = this.step(s, [phase, index], phase, index, defaultTimeoutMs)
      if (step) out.push(step)
    })
    return out
  }

  private step(raw: Raw, path: Path, phase: 'steps' | 'teardown', index: number, defaultTimeoutMs: number): Step | undefined {
    const actions = ACTIONS.filter((a) => raw[a] !== undefined)
    if (actions.length !== 1) {
      const message =
        actions.length === 0
          ? 'a step needs one action: `send`, `payload`, `wait` or `sleep`'
          : `a step has exactly one action, this one has ${actions.map((a) => `\`${a}\``).join(' and ')}`
      const span = actions.length > 1 ? this.keySpan(path, actions[1]!) : this.span(path)
      this.diagnostics.push(error('step-action', message, span, actions.length > 1 ? 'split it into two steps' : undefined))
      return undefined
    }
    const action = actions[0]!
    const timeoutMs = this.duration(raw.timeout, [...path, 'timeout']) ?? defaultTimeoutMs
    const span = this.span(path)
    const nameTemplate = (fallback: string) =>
      raw.name !== undefined ? this.template(raw.name as string, [...path, 'name']) : this.template(fallback, [...path, action])
    const retry = raw.retry as Raw | undefined
    const common = {
      phase,
      index,
      span,
      timeoutMs,
      ...(retry
        ? { retry: { times: retry.times as number, delayMs: this.duration(retry.delay, [...path, 'retry', 'delay']) ?? DEFAULT_RETRY_DELAY_MS } }
        : {}),
      optional: raw.optional === true,
      ...(raw.doc !== undefined ? { doc: raw.doc as string } : {}),
    }
    const expectPath = [...path, 'expect']
    switch (action) {
      case 'send': {
        const command = raw.send as string
        const expect = raw.expect === undefined ? [this.impliedOk([...path, 'send'])] : this.expectations(raw.expect, expectPath)
        return { ...common, kind: 'send', name: nameTemplate(command), command: this.template(command, [...path, 'send']), expect }
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
        ...(r.link !== undefined ? { link: r.link as number } : {}),
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
      return { kind: 'bytes', bytes: new Uint8Array(), span }
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
          return { kind: 'bytes', bytes: new Uint8Array(), span }
        }
      }
      default:
        return { kind: 'text', text: this.template(r.text as string, [...path, 'text']), repeat: (r.repeat as number | undefined) ?? 1, span }
    }
  }

  private prerequisite(raw: Raw, index: number): Prerequisite {
    const path: Path = ['prerequisites', index]
    const argv = Array.isArray(raw.run) ? (raw.run as unknown[]).map(String) : splitCommandLine(raw.run as string)
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

  private duration(raw: unknown, path: Path): number | undefined {
    if (raw === undefined) return undefined
    const ms = parseDuration(raw)
    if (ms === undefined) {
      this.diagnostics.push(error('bad-duration', `\`${String(raw)}\` is not a duration`, this.span(path), 'write `250ms`, `5s`, `2m`, or a number of milliseconds'))
    }
    return ms
  }

  template(text: string, path: Path): Template {
    const span = this.span(path)
    const parsed = parseTemplate(text)
    if (parsed.error) this.diagnostics.push(error('bad-value', parsed.error.message, span))
    return { source: text, parsed, span }
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
  if (r.hex !== undefined) return `hex ${String(r.hex)}`
  if (r.base64 !== undefined) return `base64 ${String(r.base64)}`
  if (r.file !== undefined) return `file ${String(r.file)}`
  if (r.text !== undefined) return `${JSON.stringify(r.text)}${r.repeat !== undefined ? ` × ${String(r.repeat)}` : ''}`
  return '(bytes)'
}

/** Splits a command line into words the way a POSIX shell would, without expanding anything. */
export function splitCommandLine(line: string): string[] {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quote) {
      if (ch === quote) quote = undefined
      else if (ch === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line[++i]
      else word += ch
    } else if (ch === '"' || ch === "'") {
      quote = ch
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
  return words
}
