import { Framer } from '../protocol/framer.ts'
import type { FrameRecord } from '../protocol/framer.ts'
import { isFinal, lineKind } from '../protocol/line-kinds.ts'
import type { DraftExpectation, DraftStep } from './draft.ts'
import { announcedLength } from './at-params.ts'
import type { SiteValues } from './site-values.ts'
import { literal } from './site-values.ts'
import { timeoutOf } from './slow-commands.ts'

/**
 * What went over a serial line, in order: the host's command lines and payloads, and the device's
 * bytes. A pasted log and a terminal session are both this, and both become steps the same way.
 */
export type TrafficEvent =
  /** The host wrote `text` and CR LF. `where`: the log line or the typed command, for comments and warnings. */
  | { kind: 'command'; text: string; where: string }
  /** The host wrote raw bytes at the `>` prompt. */
  | { kind: 'payload'; bytes: Buffer; where: string }
  | { kind: 'device'; bytes: Buffer }

export interface TrafficSteps {
  steps: DraftStep[]
  warnings: string[]
}

interface Exchange {
  kind: 'command' | 'payload'
  text: string
  bytes: Buffer
  where: string
  records: FrameRecord[]
}

/**
 * Steps from traffic: a `send` per command with its answer as `expect` (the echo dropped, the final
 * result last, a `>` prompt after its OK), a `payload` step for the bytes after the prompt, and the
 * unsolicited messages (`WIFI CONNECTED`, `+IPD`, `+WS_DATA`...) and whatever came after the final
 * result as `wait` steps. The device's lines are cut as the runner cuts them (protocol/framer.ts),
 * so the scenario matches what a run sees.
 */
export function stepsFromTraffic(events: readonly TrafficEvent[], site: SiteValues): TrafficSteps {
  const framer = new Framer()
  const exchanges: Exchange[] = []
  const warnings: string[] = []
  let before: FrameRecord[] = []
  for (const e of events) {
    if (e.kind === 'device') {
      const records = framer.push(e.bytes)
      const current = exchanges[exchanges.length - 1]
      if (current) current.records.push(...records)
      else before.push(...records)
      continue
    }
    if (e.kind === 'command') {
      framer.expectEcho(e.text)
      exchanges.push({ kind: 'command', text: e.text, bytes: Buffer.from(`${e.text}\r\n`), where: e.where, records: [] })
    } else {
      framer.clearEcho()
      exchanges.push({ kind: 'payload', text: e.bytes.toString('utf8'), bytes: e.bytes, where: e.where, records: [] })
    }
  }
  const last = exchanges[exchanges.length - 1]
  if (last) last.records.push(...framer.end())
  else before.push(...framer.end())
  before = before.filter((r) => !(r.kind === 'line' && lineKind(r.text) === 'ready'))
  if (before.length > 0) warnings.push(`${before.length} device ${before.length === 1 ? 'line' : 'lines'} before the first command: left out of the steps`)

  const steps: DraftStep[] = []
  exchanges.forEach((x, i) => {
    const previous = exchanges[i - 1]
    if (x.kind === 'payload') {
      const prompted = previous?.kind === 'command' && previous.records.some((r) => r.kind === 'prompt')
      if (!prompted) warnings.push(`${x.where}: payload bytes with no \`>\` prompt before them`)
      const length = previous ? announcedLength(previous.text) : undefined
      if (length !== undefined && length !== x.bytes.length) warnings.push(`${x.where}: ${x.bytes.length} payload bytes, but \`${previous!.text}\` announced ${length}`)
    }
    const next = exchanges[i + 1]
    if (x.kind === 'command' && x.records.some((r) => r.kind === 'prompt') && next?.kind !== 'payload') {
      warnings.push(`${x.where}: \`${x.text}\` got the \`>\` prompt, but no payload follows it`)
    }
    steps.push(...exchangeSteps(x, site, warnings))
  })
  return { steps, warnings }
}

function exchangeSteps(x: Exchange, site: SiteValues, warnings: string[]): DraftStep[] {
  const expect: DraftExpectation[] = []
  const urcs: DraftExpectation[] = []
  const after: DraftExpectation[] = []
  let ended = false
  for (const r of x.records) {
    if (r.kind === 'echo') continue
    if (r.kind === 'prompt') {
      expect.push('>')
      ended = true
      continue
    }
    if (r.kind === 'data') {
      const e = dataExpectation(r)
      if (r.unsolicited || ended) (ended ? after : urcs).push(e)
      else expect.push(e)
      continue
    }
    // A payload's bytes are not echoed; a line equal to them is the device's.
    const kind = lineKind(r.text)
    const e = site.expectation(r.text).expectation
    if (ended) after.push(e)
    else if (kind === 'urc') urcs.push(e)
    else {
      expect.push(e)
      if (isFinal(kind)) ended = true
    }
  }
  const steps: DraftStep[] = []
  const timeout = x.kind === 'command' ? timeoutOf(x.text) : undefined
  if (!ended) {
    warnings.push(`${x.where}: \`${x.kind === 'command' ? x.text : 'the payload'}\` got no final result (OK, ERROR, SEND OK...): the step only writes it (\`expect: []\`)`)
    after.unshift(...expect)
    expect.length = 0
  }
  const main: DraftStep = { comment: x.where }
  if (x.kind === 'command') main.send = site.command(x.text)
  else main.payload = payloadOf(x.bytes)
  main.expect = expect
  if (timeout) main.timeout = timeout
  steps.push(main)
  const waits = [...urcs, ...after]
  if (waits.length > 0) steps.push({ name: `wait ${waits.map(describe).join(', ')}`, wait: waits, ...(timeout ? { timeout } : {}) })
  return steps
}

function dataExpectation(r: Extract<FrameRecord, { kind: 'data' }>): DraftExpectation {
  const text = Buffer.from(r.bytes).toString('utf8')
  if (r.header && isPrintable(text) && Buffer.byteLength(text) === r.bytes.length) return literal(`${r.header.text}${text}`)
  const kind = r.framed
  return { data: isPrintable(text) ? literal(text) : { hex: Buffer.from(r.bytes).toString('hex') }, kind, ...(r.link !== undefined ? { link: r.link } : {}), ...(r.header?.topic !== undefined ? { topic: r.header.topic } : {}) }
}

function payloadOf(bytes: Buffer): string | { hex: string } {
  const text = bytes.toString('utf8')
  return isPrintable(text) && Buffer.byteLength(text) === bytes.length ? literal(text) : { hex: bytes.toString('hex') }
}

function isPrintable(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters and U+FFFD (not UTF-8) make it bytes
  return !/[\u0000-\u001f\u007f\ufffd]/.test(text)
}

function describe(e: DraftExpectation): string {
  return typeof e === 'string' ? (e.startsWith('/') ? e.replace(/^\/\^?|\$?\/$/g, '').replace(/\\(.)/g, '$1').slice(0, 30) : e) : 'data'
}
