import { basename } from 'node:path'
import type { Target } from './target.ts'

/** No `--port`: the built-in ESP-AT simulator, optionally with a device profile (absolute path). */
export function simulatorTarget(profile?: string): Target {
  const description = profile ? `the built-in ESP-AT simulator with profile ${basename(profile)}` : 'the built-in ESP-AT simulator'
  return {
    kind: 'simulator',
    description,
    hostIp: 'loopback',
    onSimulator: true,
    open: async () => (await import('../simulator/link.ts')).openSimulatorLink(profile, description),
    // The simulator's command table says what it models; a failure on anything else says so.
    failureHint: async () => (await import('../simulator/modelled.ts')).hintFor,
    recordedPort: () => ({ port: 'simulator' }),
  }
}
