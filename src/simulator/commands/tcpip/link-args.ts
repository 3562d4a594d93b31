import type { Args } from '../../at-error.ts'
import { AtError } from '../../at-error.ts'
import type { IpState } from '../../tcpip/ip-state.ts'
import { MAX_LINKS } from '../../tcpip/ip-state.ts'
import type { SocketLink } from '../../tcpip/socket-link.ts'

/**
 * The `[<link ID>,]` that starts the parameters of a TCP/IP command: given with AT+CIPMUX=1 (0..4,
 * or 5 for all links where `all` allows it), absent with AT+CIPMUX=0 (the link is 0). `at` is the
 * index of the first parameter after it. The wrong form for the mode fails to parse: ERROR.
 */
export function linkPrefix(ip: IpState, args: Args, options: { all?: boolean } = {}): { id: number; at: number } {
  if (!ip.mux) return { id: 0, at: 0 }
  return { id: args.int(0, 0, options.all ? MAX_LINKS : MAX_LINKS - 1), at: 1 }
}

/** The open link `id`, or ERROR (no prompt, nothing printed: `invalid link` in the firmware's log). */
export function openLink(ip: IpState, id: number): SocketLink {
  const link = ip.links[id]
  if (!link?.isOpen) throw new AtError()
  return link
}

/** The link IDs a setting applies to: one, or all five for 5. */
export function idsOf(id: number): number[] {
  return id === MAX_LINKS ? [0, 1, 2, 3, 4] : [id]
}
