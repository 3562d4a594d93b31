import { randomBytes } from 'node:crypto'

/**
 * One client-to-server WebSocket frame (RFC 6455 §5.2), masked as a client must. The firmware
 * sends whatever opcode and FIN bit AT+WSSEND asks for (continuation fragments, reserved
 * opcodes, close frames with any payload), so frames are built here rather than by `ws`, which
 * would refuse some of them.
 */
export function encodeClientFrame(opcode: number, fin: boolean, payload: Uint8Array): Buffer {
  const length = payload.length
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8
  const head = Buffer.alloc(2 + lengthBytes + 4)
  head[0] = (fin ? 0x80 : 0) | (opcode & 0x0f)
  if (lengthBytes === 0) head[1] = 0x80 | length
  else if (lengthBytes === 2) {
    head[1] = 0x80 | 126
    head.writeUInt16BE(length, 2)
  } else {
    head[1] = 0x80 | 127
    head.writeBigUInt64BE(BigInt(length), 2)
  }
  const mask = randomBytes(4)
  mask.copy(head, 2 + lengthBytes)
  const body = Buffer.alloc(length)
  for (let i = 0; i < length; i++) body[i] = payload[i]! ^ mask[i & 3]!
  return Buffer.concat([head, body])
}
