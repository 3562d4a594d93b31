import { AtError } from '../../at-error.ts'
import type { CommandSpec } from '../../device.ts'
import { MAX_BUFFER_SIZE } from '../../ws-config.ts'
import { linkId } from './link-id.ts'

const OPCODE_CONTINUATION = 0
const OPCODE_TEXT = 1
const DEFAULT_SEND_TIMEOUT_MS = 10_000

/**
 * AT+WSSEND=<link_id>,<length>[,<opcode>][,<timeout_ms>][,<fin>] (reference §7.4): the prompt,
 * exactly `length` raw bytes, then `SEND OK` or ERROR (never SEND FAIL). Length 0 sends an empty
 * frame without a prompt. Opcode 0 with FIN set only terminates a fragmented message: it sends an
 * empty continuation frame and drops any payload (ERROR unless the length was 0).
 */
export const wssendCommands: [string, CommandSpec][] = [
  [
    '+WSSEND',
    {
      plainRangeErrors: true,
      set: async (ctx, args) => {
        args.expectCount(2, 3, 4, 5)
        const id = linkId(args)
        const length = args.int(1, 0, MAX_BUFFER_SIZE)
        // Optional parameters may be left off, not left empty, when a later one is given.
        const opcode = args.count >= 3 ? args.int(2, 0, 15) : OPCODE_TEXT
        const timeoutMs = args.count >= 4 ? args.int(3, 0, 60_000) : DEFAULT_SEND_TIMEOUT_MS
        const fin = args.count >= 5 ? args.int(4, 0, 1) === 1 : true
        const link = ctx.state.links[id]
        if (!link) throw new AtError() // no client on that link: no prompt
        if (opcode >= 3 && !fin) throw new AtError() // control and reserved frames cannot be fragmented
        const payload = length > 0 ? await ctx.readPayload(length) : new Uint8Array(0)
        if (opcode === OPCODE_CONTINUATION && fin) {
          const sent = await link.send(new Uint8Array(0), OPCODE_CONTINUATION, true, timeoutMs)
          if (!sent || length > 0) throw new AtError()
          return 'SEND OK' as const
        }
        if (!(await link.send(payload, opcode, fin, timeoutMs))) throw new AtError()
        return 'SEND OK' as const
      },
    },
  ],
]
