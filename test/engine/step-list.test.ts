import { describe, expect, it } from 'vitest'
import type { StepResult } from '../../src/engine/result.ts'
import { skippedStep } from '../../src/engine/result.ts'
import { stepDisplayName } from '../../src/engine/run-step.ts'
import { StepList } from '../../src/engine/step-list.ts'
import type { Step } from '../../src/source/types.ts'
import { scenario } from './harness.ts'

/** A scenario's steps and results as runStep would make them, without running anything. */
const steps: Step[] = scenario(`name: list
steps:
  - name: Join
    send: AT+CWJAP="lab","x"
    budget: 2s
  - repeat: 3
    steps:
      - name: Ping
        send: AT
        doc: https://docs.example/at
  - name: Capture the mode
    send: AT+CWMODE?
    expect: ['/^\\+CWMODE:(?<mode>\\d)/', OK]
  - name: Optional
    send: AT+GMR
    optional: true
  - wait: WIFI GOT IP
`).steps

function result(step: Step, overrides: Partial<StepResult> = {}): StepResult {
  return {
    phase: step.phase,
    index: step.index,
    kind: step.kind,
    name: stepDisplayName(step, step.name.source),
    span: step.span,
    ...(step.iterations ? { iteration: step.iterations.map((i) => `${i.index}/${i.of}`).join(' ') } : {}),
    ...(step.doc ? { doc: step.doc } : {}),
    status: 'passed',
    optional: step.optional,
    sent: 'AT',
    expected: ['OK'],
    matched: 1,
    startedAt: 10 + step.index * 5.125,
    durationMs: 3.0625,
    attempts: 1,
    latency: { writtenAt: 10.5 + step.index, firstByteMs: 0.25, resultMs: 2.75 },
    ...(step.budgetMs !== undefined ? { budgetMs: step.budgetMs } : {}),
    lines: [{ at: 11, dir: 'tx', kind: 'command', text: 'AT' }],
    captures: {},
    ...overrides,
  }
}

const withoutLines = ({ lines: _, ...rest }: StepResult): StepResult => rest

describe('StepList: passed and skipped steps kept compact', () => {
  const given: StepResult[] = [
    result(steps[0]!, { sent: 'AT+CWJAP="lab","***"', expected: ['OK'] }),
    result(steps[1]!),
    result(steps[2]!, { attempts: 2, earlierFailures: [{ reason: 'timeout', message: 'timed out' }] }),
    result(steps[3]!, { status: 'failed', failure: { reason: 'over-budget', message: 'late' } }),
    result(steps[4]!, { sent: 'AT+CWMODE?', expected: ['/^\\+CWMODE:(?<mode>\\d)/', 'OK'], matched: 2, captures: { mode: '1' } }),
    result(steps[5]!, { status: 'errored', failure: { reason: 'timeout', message: 'timed out' } }),
    skippedStep(steps[6]!, 'wait WIFI GOT IP', 99),
  ]
  const list = new StepList(steps)
  for (const r of given) list.add(r)

  it('reads back every result as it was, less the lines of the ones that passed or were skipped', () => {
    const expected = given.map((r) => (r.status === 'passed' || r.status === 'skipped' ? withoutLines(r) : r))
    expect([...list.results]).toEqual(expected)
    expect(list.results).toHaveLength(7)
    expect(list.results[1]!.name).toBe('Ping [1/3]')
    expect(list.results[2]!.iteration).toBe('2/3')
    expect(list.results[4]!.captures).toEqual({ mode: '1' })
    expect(list.results[0]!.budgetMs).toBe(2000)
  })

  it('keeps a failure whole, lines included, and the same object', () => {
    expect(list.results[3]).toBe(given[3])
    expect(list.results[5]!.lines).toEqual(given[5]!.lines)
  })

  it('behaves as an array for every reader: JSON, map, filter, keys, Array.isArray', () => {
    const plain = given.map((r) => (r.status === 'passed' || r.status === 'skipped' ? withoutLines(r) : r))
    expect(Array.isArray(list.results)).toBe(true)
    expect(JSON.parse(JSON.stringify(list.results))).toEqual(JSON.parse(JSON.stringify(plain)))
    expect(list.results.map((r) => r.status)).toEqual(['passed', 'passed', 'passed', 'failed', 'passed', 'errored', 'skipped'])
    expect(list.results.filter((r) => r.failure).map((r) => r.index)).toEqual([3, 5])
    expect(Object.keys(list.results)).toEqual(['0', '1', '2', '3', '4', '5', '6'])
    expect(Object.values(list.results)[1]).toEqual(withoutLines(given[1]!))
  })

  it('a rebuilt result is a copy: changing it changes nothing kept', () => {
    const first = list.results[1]!
    first.expected.push('changed')
    first.name = 'changed'
    expect(list.results[1]!.expected).toEqual(['OK'])
    expect(list.results[1]!.name).toBe('Ping [1/3]')
  })

  it('keeps a result that does not match its step whole (it cannot be rebuilt from it)', () => {
    const odd = new StepList(steps)
    const renamed = result(steps[1]!, { name: 'Ping with no iteration' })
    odd.add(result(steps[0]!))
    odd.add(renamed)
    expect(odd.results[1]).toBe(renamed)
  })
})
