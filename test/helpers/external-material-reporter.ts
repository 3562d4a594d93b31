import { relative } from 'node:path'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import type { MissingMaterial } from './external-material.ts'

/**
 * Next to vitest's default reporter: at the end of a run, the tests that did not run because
 * external material was absent (see external-material.ts), each with the variable to set, so that
 * a clone without ../shared says what it did not check instead of looking fully green.
 */
export default class ExternalMaterialReporter implements Reporter {
  private vitest: Vitest | undefined

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped: string[] = []
    const failed: string[] = []
    const where = new Map<string, MissingMaterial>()
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const needs = test.meta().externalMaterial
        if (!needs) continue
        for (const m of needs) where.set(m.variable, m)
        const line = `  ${relative(this.vitest?.config.root ?? process.cwd(), module.moduleId)} > ${test.fullName}: set ${needs.map((m) => m.variable).join(' and ')}`
        const state = test.result().state
        if (state === 'skipped') skipped.push(line)
        else if (state === 'failed') failed.push(line)
      }
    }
    if (skipped.length === 0 && failed.length === 0) return
    const out: string[] = ['']
    if (skipped.length > 0) out.push(`${count(skipped.length)} skipped because external material is absent:`, ...skipped)
    if (failed.length > 0) out.push(`${count(failed.length)} failed because external material they must run with is absent:`, ...failed)
    out.push('Looked for:')
    for (const m of where.values()) out.push(`  ${m.variable}=${m.path}`)
    out.push('AT_SCENARIO_SHARED sets the folder all of them default to (../shared beside the repository).', '')
    const text = out.join('\n')
    if (this.vitest) this.vitest.logger.log(text)
    else console.log(text)
  }
}

const count = (n: number) => (n === 1 ? '1 test' : `${n} tests`)
