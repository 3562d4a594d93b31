import type { Args } from '../../at-error.ts'
import { LINK_COUNT } from '../../state.ts'

/** The `<link_id>` of the WebSocket commands: 0..2. */
export function linkId(args: Args): number {
  return args.int(0, 0, LINK_COUNT - 1)
}
