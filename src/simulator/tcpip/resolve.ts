import { lookup } from 'node:dns/promises'
import { isIPv4 } from 'node:net'
import type { DeviceProfile } from '../profile.ts'

/** The longest a host name may be in AT+CIPSTART and AT+CIPDOMAIN (`remote host error` otherwise). */
export const MAX_HOST_LENGTH = 64

/**
 * The device's DNS: an IPv4 address as it is, a name of the profile's `network.hosts`, else this
 * computer's resolver (the simulated device is on this computer's network). undefined when the
 * name does not resolve.
 */
export async function resolveHost(profile: DeviceProfile, host: string): Promise<string | undefined> {
  if (isIPv4(host)) return host
  const listed = profile.network.hosts[host] ?? profile.network.hosts[host.toLowerCase()]
  if (listed) return listed
  try {
    return (await lookup(host, { family: 4 })).address
  } catch {
    return undefined
  }
}

/** Where a socket of the device binds: loopback when its peer is, so that tests never listen beyond this machine. */
export function bindAddressFor(remoteIp: string): string {
  return remoteIp.startsWith('127.') ? '127.0.0.1' : '0.0.0.0'
}
