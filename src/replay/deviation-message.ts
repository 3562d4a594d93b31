import type { Deviation } from './host-script.ts'
import { quoteInline } from '../bytes/quote.ts'
import { maskedBytes } from '../bytes/segments.ts'
import type { VariableMismatch } from './run-variables.ts'

/** How many of the host's bytes a message shows from the deviation on. */
const WRITTEN_SHOWN = 48

export interface DeviationContext {
  /** The recording as people know it: `run.atrec`. */
  file: string
  /** Masks this run's secrets in the host's bytes (they are raw), also a secret the window cuts. */
  mask(bytes: Buffer): Buffer
  /** Variables whose value differs from the recording's. */
  mismatches: readonly VariableMismatch[]
}

/**
 * One sentence on where and how the host left the recording: the byte offset in what it wrote, the
 * record's line and step, the recording's bytes against the host's, and the variables that explain it.
 */
export function describeDeviation(d: Deviation, ctx: DeviationContext): string {
  const where = d.entry ? ` (${ctx.file}:${d.entry.line}${d.entry.place ? `, ${d.entry.place}` : ''})` : ''
  const head = `replay of ${ctx.file}: the host deviated from the recording at offset ${d.hostOffset} of its bytes${where}`
  const written = ctx.mask(d.written)
  const shown = quoteShortened(written)
  const before = d.before.length > 0 ? `after ${quoteInline(maskedBytes(d.before))} ` : ''
  let what: string
  switch (d.why) {
    case 'different':
      what = `${before}the recording has ${quoteShortened(maskedBytes(d.expected))}, the host wrote ${shown}`
      break
    case 'beyond-end':
      what = `the recording ends there, the host wrote ${shown}`
      break
    case 'secret-unterminated':
      what = `${before}the recording has a secret followed by ${quoteShortened(maskedBytes(d.expected.slice(1)))}, but the host's line ended first (its bytes are not shown: they hold a secret)`
      break
  }
  return `${head}: ${what}${explainByVariables(d, written, ctx.mismatches)}`
}

function quoteShortened(bytes: Buffer): string {
  return bytes.length > WRITTEN_SHOWN ? `${quoteInline(bytes.subarray(0, WRITTEN_SHOWN))}...` : quoteInline(bytes)
}

/** The mismatched variables whose recorded value the host should have written there, or whose value it wrote. */
function explainByVariables(d: Deviation, written: Buffer, mismatches: readonly VariableMismatch[]): string {
  const expected = maskedBytes([...d.before, ...d.expected])
  const relevant = mismatches.filter((m) => expected.includes(m.recorded) || written.includes(m.current))
  if (relevant.length === 0) return ''
  const list = relevant.map((m) => `variable \`${m.name}\` is ${JSON.stringify(m.current)} in this run but ${JSON.stringify(m.recorded)} in the recording`).join('; ')
  const fix = relevant.map((m) => `--var ${m.name}=${m.recorded}`).join(' ')
  return `; ${list} (replay with ${fix})`
}
