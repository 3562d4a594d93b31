import { execFileSync } from 'node:child_process'

/** End-to-end tests run the built CLI: build it once, fresh, before any test. */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: new URL('../..', import.meta.url).pathname, stdio: 'inherit' })
}
