import type { InboxEntry } from './inbox.ts'

export type MatchOutcome =
  /**
   * The expectation is met. `seqs` lists every entry that makes up the match, this one included
   * (the chunks of a `+WS_DATA` message); without it the match is this entry alone.
   */
  | { kind: 'match'; captures?: Record<string, string>; seqs?: readonly number[] }
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
  /** Links whose loss makes this expectation impossible (a `+WS_DATA` on link 0 needs link 0). */
  readonly links: readonly number[]
  /**
   * What the expectation is made of, unmasked, for the exchange's reasoning (the label may be
   * masked or escaped): the exact line of a line matcher, the source of a regex matcher.
   */
  readonly line?: string
  readonly pattern?: string
  offer(entry: InboxEntry): MatchOutcome
  /** Forget partial progress. */
  reset(): void
}

const NO: MatchOutcome = { kind: 'no' }
const MATCH: MatchOutcome = { kind: 'match' }

/** The whole line, exactly. `>` matches the data prompt. */
export function lineMatcher(text: string): Matcher {
  const links = linksOfDataLine(text)
  return {
    label: text,
    line: text,
    links,
    offer: (entry) => (entry.kind !== 'echo' && entry.text === text ? MATCH : NO),
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

/**
 * The bytes of a received `+WS_DATA` message. The firmware cuts a message into chunks of at most its
 * buffer size (or whatever one transport read returned), each with its own header, so a message is a
 * run of consecutive chunks on one link (reference §7.8). Records of other kinds and chunks on other
 * links may come in between. Any chunk may start a message, so every run that is still a prefix of
 * the expected bytes is followed (at most one per length matched so far); a chunk that does not
 * continue a run on its link ends that run.
 */
export function dataMatcher(expected: Uint8Array, link: number | undefined, label: string): Matcher {
  const want = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)
  /** Runs in progress: the link, how many bytes of `want` they hold, and their entries (last first). */
  let runs: { link: number; offset: number; seqs: SeqList }[] = []
  return {
    label,
    links: link === undefined ? [] : [link],
    offer: (entry) => {
      const record = entry.record
      if (record.kind !== 'data') return NO
      if (link !== undefined && record.link !== link) return NO
      const bytes = record.bytes
      const next: typeof runs = []
      const seen = new Set<number>()
      const follow = (offset: number, seqs: SeqList | undefined): boolean => {
        const end = offset + bytes.length
        if (end > want.length || seen.has(end)) return false
        if (Buffer.compare(want.subarray(offset, end), bytes) !== 0) return false
        seen.add(end)
        next.push({ link: record.link, offset: end, seqs: { seq: entry.seq, before: seqs } })
        return true
      }
      // Older runs first: when two runs reach the same length, the one that started earlier wins.
      for (const run of runs) {
        if (run.link !== record.link) next.push(run)
        else follow(run.offset, run.seqs)
      }
      // An empty chunk starts nothing (unless nothing is expected): it is a message of its own.
      const started = (bytes.length > 0 || want.length === 0) && follow(0, undefined)
      const mine = next.filter((run) => run.link === record.link)
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

function linksOfDataLine(text: string): number[] {
  const m = /^\+WS_DATA:(\d+),/.exec(text)
  return m ? [Number(m[1])] : []
}
