import type { FramedKind } from './framed-records.ts'
import type { InboxEntry } from './inbox.ts'
import type { LinkLoss } from './line-kinds.ts'
import { withoutTrailingSpace } from './line-kinds.ts'

export type MatchOutcome =
  /**
   * The expectation is met. `seqs` lists every entry that makes up the match, this one included
   * (the chunks of a `+WS_DATA` message); without it the match is this entry alone.
   */
  | { kind: 'match'; captures?: Record<string, string>; seqs?: readonly number[]; note?: string }
  /**
   * Part of a match that needs more records (the first chunks of a `+WS_DATA` payload). `fresh`:
   * this entry starts the only run in progress. Informational: the entries of a match are named by
   * `seqs` when it completes.
   */
  | { kind: 'partial'; fresh: boolean }
  | { kind: 'no' }

/** One expectation, ready to be offered received records one at a time. */
export interface Matcher {
  /** How the expectation reads in messages: `OK`, `/^\+CWJAP:/`, `data "test" on link 0`. */
  readonly label: string
  /** Links whose loss makes this expectation impossible (data on WebSocket link 0 needs that link). */
  readonly links: readonly LinkLoss[]
  /**
   * What the expectation is made of, unmasked, for the exchange's reasoning (the label may be
   * masked or escaped): the exact line of a line matcher, the source of a regex matcher.
   */
  readonly line?: string
  readonly pattern?: string
  offer(entry: InboxEntry): MatchOutcome
  /** Forget partial progress. */
  reset(): void
  /**
   * For a matcher that cannot answer on the spot (a regular expression that could backtrack for
   * ever runs off the event loop): a promise that resolves once its answer for this entry is in,
   * after which `offer` gives it at once; undefined when `offer` can answer now.
   */
  prepare?(entry: InboxEntry): Promise<void> | undefined
  /** Drops what `prepare` started: the step is over. */
  cancel?(): void
  /** What it is working on, or was when the step ended (`cancel`), for a timeout's message. */
  busy?(): string | undefined
}

const NO: MatchOutcome = { kind: 'no' }
const MATCH: MatchOutcome = { kind: 'match' }

/**
 * The whole line, exactly. `>` matches the data prompt. A line that differs only by trailing spaces
 * (`OK `, seen from real devices) matches too, with a note saying so.
 */
export function lineMatcher(text: string): Matcher {
  const links = linksOfDataLine(text)
  const loose = withoutTrailingSpace(text) === text
  return {
    label: text,
    line: text,
    links,
    offer: (entry) => {
      if (entry.kind === 'echo') return NO
      if (entry.text === text) return MATCH
      if (loose && entry.kind !== 'data' && withoutTrailingSpace(entry.text) === text) {
        return { kind: 'match', note: `the device sent ${JSON.stringify(entry.text)} with trailing space; taken as \`${text}\`` }
      }
      return NO
    },
    reset: () => {},
  }
}

/** A regular expression; its named groups are returned as captures. */
export function regexMatcher(regex: RegExp, label = `/${regex.source}/${regex.flags}`): Matcher {
  const sticky = new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''))
  return {
    label,
    pattern: regex.source,
    links: [],
    offer: (entry) => {
      if (entry.kind === 'echo') return NO
      const m = sticky.exec(entry.text)
      if (!m) return NO
      const captures: Record<string, string> = {}
      for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) captures[k] = v
      return { kind: 'match', captures }
    },
    reset: () => {},
  }
}

/** Which received data an expectation is about: a kind of record, a link, an MQTT topic. */
export interface DataFilter {
  kind?: FramedKind | 'raw'
  link?: number
  topic?: string
}

/**
 * The bytes of a received message. The firmware cuts a message into records of at most its buffer
 * size (or whatever one transport read returned), each with its own header (`+WS_DATA`, `+IPD`,
 * `+MQTTSUBRECV` with its topic each time), so a message is a run of consecutive records of one
 * stream (kind, link, topic). Records of other streams may come in between. Any record may start a
 * message, so every run that is still a prefix of the expected bytes is followed (at most one per
 * length matched so far); a record that does not continue a run of its stream ends that run.
 */
export function dataMatcher(expected: Uint8Array, filter: DataFilter, label: string): Matcher {
  const want = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)
  /** Runs in progress: their stream, how many bytes of `want` they hold, and their entries (last first). */
  let runs: { stream: string; offset: number; seqs: SeqList }[] = []
  const lossKind = filter.kind === 'ws' || filter.kind === 'ipd' || filter.kind === 'mqtt' ? filter.kind : undefined
  return {
    label,
    links: lossKind
      ? [{ kind: lossKind, ...(filter.link !== undefined ? { link: filter.link } : {}) }]
      : filter.kind === undefined && filter.link !== undefined
        ? (['ws', 'ipd', 'mqtt'] as const).map((kind) => ({ kind, link: filter.link }))
        : [],
    offer: (entry) => {
      const record = entry.record
      if (record.kind !== 'data') return NO
      if (filter.kind !== undefined && record.framed !== filter.kind) return NO
      if (filter.link !== undefined && record.link !== filter.link) return NO
      if (filter.topic !== undefined && record.header?.topic !== filter.topic) return NO
      const stream = `${record.framed}:${record.link ?? ''}:${record.header?.topic ?? ''}`
      const bytes = record.bytes
      const next: typeof runs = []
      const seen = new Set<number>()
      const follow = (offset: number, seqs: SeqList | undefined): boolean => {
        const end = offset + bytes.length
        if (end > want.length || seen.has(end)) return false
        if (Buffer.compare(want.subarray(offset, end), bytes) !== 0) return false
        seen.add(end)
        next.push({ stream, offset: end, seqs: { seq: entry.seq, before: seqs } })
        return true
      }
      // Older runs first: when two runs reach the same length, the one that started earlier wins.
      for (const run of runs) {
        if (run.stream !== stream) next.push(run)
        else follow(run.offset, run.seqs)
      }
      // An empty record starts nothing (unless nothing is expected): it is a message of its own.
      const started = (bytes.length > 0 || want.length === 0) && follow(0, undefined)
      const mine = next.filter((run) => run.stream === stream)
      const done = mine.find((run) => run.offset === want.length)
      if (done) {
        runs = []
        return { kind: 'match', seqs: listed(done.seqs) }
      }
      runs = next
      return mine.length > 0 ? { kind: 'partial', fresh: started && mine.length === 1 } : NO
    },
    reset: () => {
      runs = []
    },
  }
}

/** The seqs of a run, newest first, shared between runs that branch from one another. */
interface SeqList {
  seq: number
  before: SeqList | undefined
}

function listed(list: SeqList): number[] {
  const seqs: number[] = []
  for (let at: SeqList | undefined = list; at; at = at.before) seqs.push(at.seq)
  return seqs.reverse()
}

/** A line expectation that is a data record of a link (`+WS_DATA:0,4,test`, `+IPD,1,4:test`) needs that link. */
function linksOfDataLine(text: string): LinkLoss[] {
  const ws = /^\+WS_DATA:(\d+),/.exec(text)
  if (ws) return [{ kind: 'ws', link: Number(ws[1]) }]
  const ipd = /^\+IPD,(\d+),\d+[:,]/.exec(text)
  if (ipd) return [{ kind: 'ipd', link: Number(ipd[1]) }]
  if (/^\+IPD,\d+:/.test(text)) return [{ kind: 'ipd' }]
  const mqtt = /^\+MQTTSUBRECV:(\d+),/.exec(text)
  return mqtt ? [{ kind: 'mqtt', link: Number(mqtt[1]) }] : []
}
