import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []

/** A fresh directory for one run's reports, so that runs in parallel never share a transcript. */
export function reportsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-test-reports-'))
  made.push(dir)
  return dir
}

/** Removes every directory reportsDir made (call it in afterAll). */
export function removeReportsDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}
