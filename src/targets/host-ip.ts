import { networkInterfaces } from 'node:os'

/** The first non-internal IPv4 address: where a device on the LAN can reach this computer. */
export function firstLanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address
  }
  return undefined
}
