import type { RecordEntry } from '../replay/atrec-format.ts'
import type { ImportedLog } from '../replay/log-import.ts'
import type { Segment } from '../bytes/segments.ts'
import { MASK_TEXT } from '../bytes/segments.ts'
import type { DraftScenario } from './draft.ts'
import { SiteValues } from './site-values.ts'
import { stepsFromTraffic } from './traffic-steps.ts'
import type { TrafficEvent } from './traffic-steps.ts'

export interface LogScenario {
  draft: DraftScenario
  warnings: string[]
  /** The recording's entries with every secret's bytes (the Wi-Fi password, in the command and its echo) named instead. */
  entries: RecordEntry[]
  secrets: string[]
  /** Environment variables the scenario needs and the log's values are not written for (the Wi-Fi password). */
  needsEnv: string[]
  /** Text for people (the import's notes) with every secret as `***`. */
  mask: (text: string) => string
}

function masked(text: string, secrets: { bytes: Buffer }[]): string {
  let out = text
  for (const s of secrets) {
    const value = s.bytes.toString('utf8')
    // The marker quotes the line as JSON, so the value may appear escaped there.
    for (const form of new Set([value, JSON.stringify(value).slice(1, -1)])) out = out.split(form).join(MASK_TEXT)
  }
  return out
}

const LOG_LINE = /^log line (\d+) /

/**
 * The scenario of a pasted log: each host line a step, the device's lines its expectations, as
 * stepsFromTraffic makes them. Made from the recording the log import built, so the scenario and
 * the recording agree byte for byte and the scenario passes on `--port replay:` of it.
 */
export function scenarioFromLog(log: ImportedLog, source: string): LogScenario {
  const traffic: TrafficEvent[] = []
  let where = 'the log'
  let prompted = false
  for (const e of log.entries) {
    if (e.kind === 'marker') {
      const m = LOG_LINE.exec(e.text)
      if (m) where = `log line ${m[1]}`
      continue
    }
    const bytes = Buffer.concat(e.segments.map((s) => ('bytes' in s ? s.bytes : Buffer.alloc(0))))
    if (e.dir === 'rx') {
      traffic.push({ kind: 'device', bytes })
      if (bytes.length > 0) prompted = bytes.toString('latin1').endsWith('>')
      continue
    }
    const text = bytes.toString('utf8')
    // After the prompt the device reads raw bytes: what the host wrote then is payload, CR LF or not.
    const line = /\r\n$/.test(text) && !/[\r\n]/.test(text.slice(0, -2))
    if (line && (!prompted || /^AT/i.test(text))) traffic.push({ kind: 'command', text: text.slice(0, -2), where })
    else traffic.push({ kind: 'payload', bytes, where })
    prompted = false
  }
  // A pasted log's password is a real one (unlike a doc page's): the scenario takes it from the environment.
  const site = new SiteValues({ keepPassword: () => false, hostIps: new Set(), connectTargetsAreHost: false })
  const { steps, warnings } = stepsFromTraffic(traffic, site)
  const draft: DraftScenario = {
    header: [`Imported from ${source} by \`at-scenario import\`: check the expectations and name the steps.`, `Replay it with: at-scenario <this file> --port replay:<the .atrec written with it>`],
    name: `Imported from ${source}`,
    vars: site.vars,
    secrets: site.secrets,
    prerequisites: [],
    steps,
  }
  // Longest form first: the wire form with its escapes holds more bytes than the value.
  const secretValues = site.secrets
    .flatMap((name) => (site.seenSecrets.get(name) ?? []).map((form) => ({ name, bytes: Buffer.from(form) })))
    .sort((a, b) => b.bytes.length - a.bytes.length)
  const entries = log.entries.map((e) => (e.kind === 'data' ? { ...e, segments: secretSegments(e.segments, secretValues) } : { ...e, text: masked(e.text, secretValues) }))
  const needsEnv = site.vars.flatMap((v) => (site.secrets.includes(v.name) ? [/^\$\{env\.([A-Z_]+)\}$/.exec(v.value)?.[1]].filter((e) => e !== undefined) : []))
  return { draft, warnings: warnings.map((w) => masked(w, secretValues)), entries, secrets: site.secrets, needsEnv, mask: (text) => masked(text, secretValues) }
}

/** The segments with every occurrence of a secret's bytes as that secret's segment. */
export function secretSegments(segments: Segment[], secrets: { name: string; bytes: Buffer }[]): Segment[] {
  let out = segments
  for (const secret of secrets) {
    out = out.flatMap((s) => {
      if (!('bytes' in s)) return [s]
      const pieces: Segment[] = []
      let rest = s.bytes
      for (let i = rest.indexOf(secret.bytes); i >= 0; i = rest.indexOf(secret.bytes)) {
        if (i > 0) pieces.push({ bytes: rest.subarray(0, i) })
        pieces.push({ secret: secret.name })
        rest = rest.subarray(i + secret.bytes.length)
      }
      if (rest.length > 0) pieces.push({ bytes: rest })
      return pieces
    })
  }
  return out
}
