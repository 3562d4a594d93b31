import type { Diagnostic, Span } from '../diagnostics/diagnostic.ts'
import { error, warning } from '../diagnostics/diagnostic.ts'
import { isLiteral } from './template.ts'
import type { Expectation, Payload, Scenario, Step } from './types.ts'

/**
 * Commands after which the device shows `>` and reads a given number of raw bytes, and which of
 * their parameters is that number (from the command set pages). `upTo`: the data may end sooner
 * with `\0` (AT+CIPSENDEX).
 */
const PROMPT_COMMANDS: { pattern: RegExp; lengthParam: (params: string[]) => string | undefined; upTo?: true }[] = [
  { pattern: /^AT\+WSSEND=/i, lengthParam: (p) => p[1] },
  { pattern: /^AT\+WSHEAD=/i, lengthParam: (p) => p[0] },
  // AT+CIPSEND=<len> | =<link>,<len> | =[<link>,]<len>,"<remote host>",<remote port> (UDP)
  { pattern: /^AT\+CIPSEND=/i, lengthParam: (p) => (p.length === 1 || p[1]?.startsWith('"') ? p[0] : p[1]) },
  { pattern: /^AT\+CIPSENDL=/i, lengthParam: (p) => (p.length === 1 || p[1]?.startsWith('"') ? p[0] : p[1]) },
  { pattern: /^AT\+CIPSENDEX=/i, lengthParam: (p) => (p.length === 1 || p[1]?.startsWith('"') ? p[0] : p[1]), upTo: true },
  // AT+MQTTPUBRAW=<LinkID>,<"topic">,<length>,<qos>,<retain>
  { pattern: /^AT\+MQTTPUBRAW=/i, lengthParam: (p) => p[2] },
  // AT+MQTTLONGCLIENTID / LONGUSERNAME / LONGPASSWORD=<LinkID>,<length>
  { pattern: /^AT\+MQTTLONG(?:CLIENTID|USERNAME|PASSWORD)=/i, lengthParam: (p) => p[1] },
  // AT+HTTPCPOST / HTTPCPUT=<"url">,<length>[,<http_headers_cnt>,...]
  { pattern: /^AT\+HTTPC(?:POST|PUT)=/i, lengthParam: (p) => p[1] },
  // AT+HTTPURLCFG=<url length>; AT+HTTPCHEAD=<req_header_len>
  { pattern: /^AT\+HTTPURLCFG=/i, lengthParam: (p) => p[0] },
  { pattern: /^AT\+HTTPCHEAD=/i, lengthParam: (p) => p[0] },
  // AT+BLEGATTSNTFY / BLEGATTSIND=<conn_index>,<srv_index>,<char_index>,<length>; AT+BLEGATTCWR=...,<length> last
  { pattern: /^AT\+BLEGATTS(?:NTFY|IND)=/i, lengthParam: (p) => p[3] },
  { pattern: /^AT\+BLEGATTCWR=/i, lengthParam: (p) => p.at(-1) },
]

/** The parameters of a command line, split at the commas outside double-quoted strings (`\"` escapes). */
export function atParameters(command: string): string[] {
  const params: string[] = []
  let current = ''
  let quoted = false
  const body = command.slice(command.indexOf('=') + 1)
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '\\' && quoted && i + 1 < body.length) {
      current += c + body[++i]
      continue
    }
    if (c === '"') quoted = !quoted
    if (c === ',' && !quoted) {
      params.push(current.trim())
      current = ''
    } else current += c
  }
  params.push(current.trim())
  return params
}

/**
 * Mistakes a schema cannot see: payloads that do not fit the length their command announced,
 * payloads with no prompt to answer, commands the firmware will reject. `sources` (file to text)
 * lets a message say what the file has around a value, such as a comment that cut it short.
 */
export function lintScenario(scenario: Scenario, sources: ReadonlyMap<string, string> = new Map()): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const p of scenario.prerequisites) if (p.ready.kind === 'stdout') lintRegex(p.ready.line, out)
  for (const list of [scenario.steps, scenario.teardown]) {
    list.forEach((step, i) => {
      if ('expect' in step) for (const e of step.expect) lintRegex(e, out)
      if (step.kind === 'send') lintCommand(step, sources, out)
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

/**
 * A repeated group with a repeating quantifier inside (`(a+)+`, `(\w+\s?)*`, `(?:x*){2,}`): on a line
 * that almost matches, a backtracking engine tries every way to share the characters between the
 * inner and the outer repetition, which takes exponential time. The runner keeps it from blocking
 * (engine/user-regex.ts), but such a line still costs the step its whole timeout.
 */
function lintRegex(e: Expectation, out: Diagnostic[]): void {
  if (e.kind !== 'regex') return
  const nested = nestedQuantifier(e.pattern.source.replace(/\$\{[^}]*\}/g, 'x'))
  if (!nested) return
  out.push(
    warning(
      'bad-regex',
      `nested quantifiers in \`/${e.pattern.source}/\`: \`${nested}\` repeats a group that repeats itself, which a line that almost matches makes a backtracking engine try in exponentially many ways`,
      e.span,
      'give each character one way to be matched: `(a+)+` matches what `a+` does, `(\\w+\\s?)*` what `[\\w\\s]*` does',
    ),
  )
}

/** The first repeated group of a pattern that holds a repeating quantifier, as written; undefined if none. */
export function nestedQuantifier(source: string): string | undefined {
  const groups: { start: number; repeats: boolean }[] = []
  const repeatAt = (i: number): number => {
    // A quantifier that can repeat (`*`, `+`, `{n,}`, `{n,m}` with m > 1) at i: its length, else 0.
    const c = source[i]
    if (c === '*' || c === '+') return 1
    const m = c === '{' ? /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i)) : null
    if (!m || m[2] === undefined) return 0
    return m[3] === '' || Number(m[3]) > 1 ? m[0].length : 0
  }
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (c === '\\') {
      i++
      if (repeatAt(i + 1) && groups.length > 0) groups.at(-1)!.repeats = true
      continue
    }
    if (c === '[') {
      for (i++; i < source.length && source[i] !== ']'; i++) if (source[i] === '\\') i++
      if (repeatAt(i + 1) && groups.length > 0) groups.at(-1)!.repeats = true
      continue
    }
    if (c === '(') {
      groups.push({ start: i, repeats: false })
      continue
    }
    if (c === ')') {
      const group = groups.pop()
      const after = repeatAt(i + 1)
      if (group && after && group.repeats && !delimited(source.slice(group.start + 1, i))) return source.slice(group.start, i + 1 + after)
      if (group && groups.length > 0 && (group.repeats || after)) groups.at(-1)!.repeats = true
      continue
    }
    if (repeatAt(i) && groups.length > 0) groups.at(-1)!.repeats = true
  }
  return undefined
}

/**
 * A group body that starts with a plain character found nowhere else in it (`,\\d+` in `(,\\d+)*`):
 * each repetition must begin with it, so the repetitions cannot share characters.
 */
function delimited(body: string): boolean {
  const inner = body.replace(/^\?(?::|<[A-Za-z_$][\w$]*>)/, '')
  const first = inner[0]
  if (first === undefined || /[\\[(.^$|*+?{]/.test(first) || /^[*+?{]/.test(inner.slice(1))) return false
  return !inner.slice(1).includes(first)
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
  const announced = rule.lengthParam(atParameters(command))
  if (announced === undefined || !/^\d+$/.test(announced.trim())) return
  const length = payloadLength(payload)
  if (length === undefined || length === Number(announced)) return
  // AT+CIPSENDEX ends its data early at the two characters `\0`.
  if (rule.upTo && length < Number(announced) && payloadText(payload)?.includes('\\0')) return
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

function payloadText(payload: Payload): string | undefined {
  if (payload.kind === 'bytes') return payload.invalid ? undefined : Buffer.from(payload.bytes).toString('latin1')
  return isLiteral(payload.text.parsed) ? payload.text.source : undefined
}

/** The payload's byte length when it is known before the run. */
function payloadLength(payload: Payload): number | undefined {
  if (payload.kind === 'bytes') return payload.invalid ? undefined : payload.bytes.length
  if (!isLiteral(payload.text.parsed)) return undefined
  const text = payload.text.parsed.parts.map((p) => (p.kind === 'text' ? p.text : '')).join('')
  return Buffer.byteLength(text, 'utf8') * payload.repeat
}

function lintCommand(step: Extract<Step, { kind: 'send' }>, sources: ReadonlyMap<string, string>, out: Diagnostic[]): void {
  const command = step.command.source
  if (command.trim() === '+++') {
    out.push(
      error(
        'bad-value',
        '`send` appends CR LF, and `+++` leaves passthrough only alone, with quiet around it',
        step.command.span,
        'write it as raw bytes: `write: "+++"` (50 ms of quiet before, 1 s after, by default)',
      ),
    )
    return
  }
  if (!/^AT/i.test(command)) {
    out.push(warning('bad-value', 'the command does not start with `AT`: the firmware answers ERROR', step.command.span))
    return
  }
  if (/[\r\n]/.test(command)) {
    out.push(
      error(
        'unsafe-value',
        'the command has a line break (CR or LF) in it: the device ends the command there and runs the rest as another command',
        step.command.span,
        'one command per `send` step: split it into two steps (CR LF is appended to every command)',
      ),
    )
    return
  }
  if (/\s$/.test(command)) {
    out.push(warning('bad-value', 'the command ends with white space, which the firmware takes as part of it (ERROR)', step.command.span))
  }
  // The template's source text, references left as they are: a value substituted at run time is
  // the firmware's to escape, not the author's.
  if (unescapedQuotes(command) % 2 === 1) {
    out.push(
      error(
        'unbalanced-quotes',
        `the double quotes of \`${command}\` do not pair up: a string parameter is left open, and the firmware answers ERROR`,
        step.command.span,
        commentHint(command, step.command.span, sources) ?? 'close the string with `"`; a `"` inside a string parameter is written `\\"`',
      ),
    )
  }
}

/** The `"` of a command line that open or close a string: ESP-AT escapes with a backslash (`\"`, `\\`). */
function unescapedQuotes(command: string): number {
  let count = 0
  for (let i = 0; i < command.length; i++) {
    if (command[i] === '\\') i++
    else if (command[i] === '"') count++
  }
  return count
}

/**
 * When the line goes on after an unquoted value with ` #...`, YAML took the rest as a comment:
 * `send: AT+CWJAP="x","abc #1"` sends `AT+CWJAP="x","abc`. The hint spells out the value quoted.
 */
function commentHint(command: string, span: Span, sources: ReadonlyMap<string, string>): string | undefined {
  if (span.end.line !== span.start.line) return undefined
  const line = sources.get(span.file)?.split(/\r?\n/)[span.start.line - 1]
  if (line === undefined || /^["'|>]/.test(line.slice(span.start.col - 1))) return undefined
  const rest = line.slice(span.end.col - 1)
  if (!/^\s+#/.test(rest)) return undefined
  // The value meant runs to the first later comment after which the quotes pair up, else to the end of the line.
  const cuts = [...[...rest.matchAll(/\s+#/g)].map((m) => m.index).filter((at) => at > 0), rest.length]
  const meant = cuts.map((at) => command + rest.slice(0, at).trimEnd()).find((v) => unescapedQuotes(v) % 2 === 0) ?? command + rest.trimEnd()
  return `\`${meant.slice(command.length).trimStart()}\` after a space starts a YAML comment, which cut the command short; quote the whole value: \`send: '${meant.replaceAll("'", "''")}'\``
}
