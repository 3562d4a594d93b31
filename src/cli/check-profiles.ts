import { relative } from 'node:path'
import type { CliIo } from './main.ts'

/**
 * Checks simulator device profiles (absolute paths) before anything runs; their mistakes go to
 * stderr at file:line:col, as a scenario's do. True when they are all sound.
 */
export async function checkProfiles(profiles: readonly string[], io: Pick<CliIo, 'stderr' | 'cwd'>, color: boolean): Promise<boolean> {
  if (profiles.length === 0) return true
  const { describeProfileProblems } = await import('../simulator/profile-load.ts')
  const problems = await describeProfileProblems(profiles.map((p) => relative(io.cwd, p) || p), { color })
  if (problems) io.stderr.write(problems)
  return problems === undefined
}
