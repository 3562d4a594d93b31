import { describe, expect, it } from 'vitest'
import { ExitCode, exitCodeOf, worstOf } from '../../src/cli/exit-codes.ts'
import { parseCli, UsageError } from '../../src/cli/args.ts'

const suite = (...outcomes: Parameters<typeof exitCodeOf>[0]['outcomes']) => ({ outcomes, interrupted: false })

describe('exit codes', () => {
  it('4 when budgets are all that failed; a failure or a run that could not start outranks it', () => {
    expect(exitCodeOf(suite('passed', 'over-budget'), undefined)).toBe(ExitCode.OverBudget)
    expect(exitCodeOf(suite('over-budget', 'failed'), undefined)).toBe(ExitCode.Failed)
    expect(exitCodeOf(suite('over-budget', 'could-not-open'), undefined)).toBe(ExitCode.CouldNotRun)
    expect(exitCodeOf(suite('not-run', 'failed', 'over-budget'), undefined)).toBe(ExitCode.CouldNotRun)
    expect(exitCodeOf(suite('passed', undefined), undefined)).toBe(ExitCode.Passed)
    expect(exitCodeOf({ outcomes: ['over-budget'], interrupted: true }, ExitCode.HungUp)).toBe(ExitCode.HungUp)
  })

  it('worstOf ranks by meaning, not by number', () => {
    expect(worstOf(ExitCode.OverBudget, ExitCode.CouldNotRun)).toBe(ExitCode.CouldNotRun)
    expect(worstOf(ExitCode.CouldNotRun, ExitCode.OverBudget)).toBe(ExitCode.CouldNotRun)
    expect(worstOf(ExitCode.HungUp, ExitCode.CouldNotRun)).toBe(ExitCode.HungUp)
  })
})

describe('--repeat', () => {
  it('takes a whole number of runs', () => {
    expect(parseCli(['a.yaml', '--repeat', '5'], () => true).repeat).toBe(5)
    expect(parseCli(['a.yaml'], () => true).repeat).toBeUndefined()
  })

  it('cannot be combined with --record, which records one run', () => {
    expect(() => parseCli(['a.yaml', '--repeat', '2', '--record', 'x.atrec'], () => true)).toThrow(UsageError)
    expect(() => parseCli(['a.yaml', '--repeat', '2', '--record', 'x.atrec'], () => true)).toThrow('--record records one run: it cannot be combined with --repeat')
  })
})
