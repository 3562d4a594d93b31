/**
 * The oldest Node.js the CLI runs on: `util.parseEnv` (the .env reader) arrived in 20.12. Keep it
 * equal to `engines.node` in package.json (a test checks).
 */
export const MINIMUM_NODE = '20.12.0'

/**
 * One line for a Node.js older than MINIMUM_NODE, else undefined. bin/at-scenario.js asks before
 * it loads the bundle, because on an older Node the bundle fails to link with a SyntaxError about
 * a missing export, which says nothing about the version.
 */
export function nodeVersionProblem(version: string): string | undefined {
  const have = parseVersion(version)
  const need = parseVersion(MINIMUM_NODE)!
  if (have && compare(have, need) >= 0) return undefined
  return `at-scenario needs Node.js ${MINIMUM_NODE.replace(/\.0$/, '')} or newer; this is Node.js ${version}`
}

function parseVersion(version: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return 0
}
