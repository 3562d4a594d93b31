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
    recordedPort: () => ({ port: 'simulator' }),
  }
}
