import { execFileSync } from 'node:child_process'

/** End-to-end tests run the built CLI (bin/at-scenario.js loads dist/bundle): build it once, fresh, before any test. */
export default function setup(): void {
  // For in-process suites while another part of the tree does not build: AT_SCENARIO_SKIP_BUILD=1.
  if (process.env.AT_SCENARIO_SKIP_BUILD === '1') return
  // The whole build users run: tsc, the precompiled schema validators, the bundle the bin loads.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: new URL('../..', import.meta.url).pathname, stdio: 'inherit' })
}
