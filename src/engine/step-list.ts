import type { Step } from '../source/types.ts'
import type { StepFailure, StepResult } from './result.ts'
import { stepDisplayName } from './run-step.ts'

/**
 * What a passed or skipped step has that its definition does not: interned, so that the 100,000
 * copies of a soak's step share one.
 */
class Shape {
  readonly baseName: string
  readonly status: 'passed' | 'skipped'
  readonly sent: string | undefined
  readonly expected: readonly string[]
  constructor(baseName: string, status: 'passed' | 'skipped', sent: string | undefined, expected: readonly string[]) {
    this.baseName = baseName
    this.status = status
    this.sent = sent
    this.expected = expected
  }
}

/** What few compact steps have: captures, the failures of earlier attempts. */
interface Rare {
  captures?: Record<string, string>
  earlierFailures?: StepFailure[]
}

/** Rows per block of numbers: blocks, not one growing array, so that growth never copies or doubles. */
const BLOCK = 4096
/** startedAt, durationMs, latency.writtenAt, firstByteMs, resultMs (NaN: none), matched, attempts. */
const FIELDS = 7
/** Distinct shapes kept for sharing; past this a step gets a shape of its own (still right, only larger). */
const MAX_SHAPES = 10_000

/**
 * The results of a list of steps, as a run keeps them. A step that failed or errored is kept as it
 * came; one that passed or was skipped is kept as a compact row (its numbers in blocks of a
 * Float64Array, its strings shared with the steps like it), and rebuilt as a StepResult, without
 * `lines`, whenever it is read. A 100,000-step soak so holds about 60 bytes a passed step instead of
 * ~1.5 KB; what crossed the link is in the transcript, and listeners had the full result in
 * `step:end`.
 *
 * `results` is an ordinary-looking array (a Proxy over one), so that `RunResult.steps` keeps its
 * type for every reader: indexing, iterating, `map`, spreading and JSON.stringify all see full
 * StepResults. Two reads of a compact row give two equal objects, not the same one, and a Proxy
 * cannot be passed to structuredClone (copy it with `[...steps]` first).
 */
export class StepList {
  readonly results: StepResult[]
  private readonly steps: readonly Step[]
  /** Per step, by position: the full result, or the shape of a compact row. */
  private readonly rows: (StepResult | Shape)[] = []
  /** Sparse: a block exists once a compact row falls in it. */
  private readonly blocks: Float64Array[] = []
  private readonly rare = new Map<number, Rare>()
  private readonly shapes = new Map<string, Shape>()

  /** `steps`: the steps these results are of, in order; the i-th result is of the i-th step. */
  constructor(steps: readonly Step[]) {
    this.steps = steps
    this.results = new Proxy(this.rows as StepResult[], {
      get: (target, key, receiver) => {
        const i = indexOf(key)
        if (i === undefined) return Reflect.get(target, key, receiver) as unknown
        const row = target[i] as StepResult | Shape | undefined
        return row instanceof Shape ? this.rebuild(i, row) : row
      },
      getOwnPropertyDescriptor: (target, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target, key)
        const i = indexOf(key)
        if (d && i !== undefined && d.value instanceof Shape) d.value = this.rebuild(i, d.value)
        return d
      },
    })
  }

  /** Adds the result of the next step. */
  add(result: StepResult): void {
    const i = this.rows.length
    const step = this.steps[i]
    const name = step ? baseName(result.name, step) : undefined
    if (!step || name === undefined || !compactable(result, step)) {
      this.rows.push(result)
      return
    }
    const block = (this.blocks[Math.floor(i / BLOCK)] ??= new Float64Array(BLOCK * FIELDS))
    const at = (i % BLOCK) * FIELDS
    block[at] = result.startedAt
    block[at + 1] = result.durationMs
    block[at + 2] = result.latency?.writtenAt ?? Number.NaN
    block[at + 3] = result.latency?.firstByteMs ?? Number.NaN
    block[at + 4] = result.latency?.resultMs ?? Number.NaN
    block[at + 5] = result.matched
    block[at + 6] = result.attempts
    const rare: Rare = {
      ...(Object.keys(result.captures).length > 0 ? { captures: result.captures } : {}),
      ...(result.earlierFailures ? { earlierFailures: result.earlierFailures } : {}),
    }
    if (rare.captures || rare.earlierFailures) this.rare.set(i, rare)
    this.rows.push(this.shape(name, result))
  }

  private shape(name: string, r: StepResult): Shape {
    const status = r.status as 'passed' | 'skipped'
    const key = JSON.stringify([name, status, r.sent ?? null, r.expected])
    const known = this.shapes.get(key)
    if (known) return known
    const made = new Shape(name, status, r.sent, Object.freeze([...r.expected]))
    if (this.shapes.size < MAX_SHAPES) this.shapes.set(key, made)
    return made
  }

  /** The StepResult of a compact row, as the step had it (less its lines). */
  private rebuild(i: number, shape: Shape): StepResult {
    const step = this.steps[i]!
    const block = this.blocks[Math.floor(i / BLOCK)]!
    const at = (i % BLOCK) * FIELDS
    const writtenAt = block[at + 2]!
    const firstByteMs = block[at + 3]!
    const resultMs = block[at + 4]!
    const rare = this.rare.get(i)
    return {
      phase: step.phase,
      index: step.index,
      kind: step.kind,
      name: stepDisplayName(step, shape.baseName),
      span: step.span,
      ...(step.iterations ? { iteration: step.iterations.map((it) => `${it.index}/${it.of}`).join(' ') } : {}),
      ...(step.doc ? { doc: step.doc } : {}),
      status: shape.status,
      optional: step.optional,
      ...(shape.sent !== undefined ? { sent: shape.sent } : {}),
      expected: [...shape.expected],
      matched: block[at + 5]!,
      startedAt: block[at]!,
      durationMs: block[at + 1]!,
      attempts: block[at + 6]!,
      ...(rare?.earlierFailures ? { earlierFailures: rare.earlierFailures } : {}),
      ...(Number.isNaN(writtenAt)
        ? {}
        : { latency: { writtenAt, ...(Number.isNaN(firstByteMs) ? {} : { firstByteMs }), ...(Number.isNaN(resultMs) ? {} : { resultMs }) } }),
      ...(step.budgetMs !== undefined && shape.status === 'passed' ? { budgetMs: step.budgetMs } : {}),
      captures: rare?.captures ?? {},
    }
  }
}

/**
 * A passed or skipped step whose definition says the rest: its place, kind, span, doc, options.
 * Anything else (a failure, or a result that does not match its step) is kept whole.
 */
function compactable(r: StepResult, step: Step): boolean {
  return (
    (r.status === 'passed' || r.status === 'skipped') &&
    !r.failure &&
    r.phase === step.phase &&
    r.index === step.index &&
    r.kind === step.kind &&
    r.span === step.span &&
    r.optional === step.optional &&
    r.doc === step.doc &&
    r.budgetMs === (r.status === 'passed' ? step.budgetMs : undefined) &&
    (r.iteration === undefined) === (step.iterations === undefined)
  )
}

/** The name without the iteration suffix that `stepDisplayName` adds back; undefined if it has none. */
function baseName(name: string, step: Step): string | undefined {
  if (!step.iterations) return name
  const suffix = stepDisplayName(step, '')
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined
}

function indexOf(key: string | symbol): number | undefined {
  if (typeof key !== 'string' || key === '' || key.length > 10) return undefined
  const n = Number(key)
  return Number.isInteger(n) && n >= 0 && String(n) === key ? n : undefined
}
