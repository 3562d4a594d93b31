import { readdirSync, readFileSync } from 'node:fs'

/**
 * Pids of the live processes whose environment holds `name=value`. A run's children inherit the
 * environment the test gave the CLI, also those that left its process group or were re-parented
 * to init, so a mark there finds whatever the run left behind. Linux only (/proc).
 */
export function processesCarrying(name: string, value: string): number[] {
  const entry = Buffer.from(`${name}=${value}\0`)
  const found: number[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let environ: Buffer
    try {
      environ = readFileSync(`/proc/${pid}/environ`)
    } catch {
      continue // gone meanwhile, or not ours to read: not one of the run's
    }
    if (environ.subarray(0, entry.length).equals(entry) || environ.includes(Buffer.concat([Buffer.from([0]), entry]))) found.push(Number(pid))
  }
  return found
}
