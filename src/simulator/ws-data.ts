import type { WsDataFormat } from './ws-config.ts'

const BIT_OPCODE = 1
const BIT_FIN = 2
const BIT_PAYLOAD_LEN = 4
const BIT_PAYLOAD_OFFSET = 8
const BIT_DATA_LEN = 16
const BIT_CRLF = 32

export interface ReceivedFrame {
  opcode: number
  fin: boolean
  payload: Buffer
}

/**
 * The writes that report one received frame (reference §7.8): one per chunk of at most
 * buffer_size bytes, each a single write so no other output can split it. By default
 * `+WS_DATA:<id>,<len>,<bytes>\r\n` per chunk; AT+WSDATAFMT chooses the header fields and whether
 * header and trailer go on every chunk (level 0) or only on the first and last (levels 1 and 2:
 * the simulator receives whole messages, so a frame is a message).
 */
export function wsDataWrites(linkId: number, frame: ReceivedFrame, bufferSize: number, format: WsDataFormat): Buffer[] {
  const { payload } = frame
  const chunks: { offset: number; bytes: Buffer }[] = []
  for (let offset = 0; offset < payload.length; offset += bufferSize) chunks.push({ offset, bytes: payload.subarray(offset, offset + bufferSize) })
  if (chunks.length === 0) chunks.push({ offset: 0, bytes: Buffer.alloc(0) })
  return chunks.map(({ offset, bytes }, i) => {
    const first = i === 0
    const last = i === chunks.length - 1
    const withHeader = format.level === 0 || first
    const withTrailer = (format.mask & BIT_CRLF) !== 0 && (format.level === 0 || last)
    const parts: Buffer[] = []
    if (withHeader) parts.push(Buffer.from(header(linkId, frame, offset, bytes.length, format.mask), 'latin1'))
    parts.push(bytes)
    if (withTrailer) parts.push(Buffer.from('\r\n'))
    return Buffer.concat(parts)
  })
}

function header(linkId: number, frame: ReceivedFrame, offset: number, length: number, mask: number): string {
  const fields: number[] = []
  if (mask & BIT_OPCODE) fields.push(frame.opcode)
  if (mask & BIT_FIN) fields.push(frame.fin ? 1 : 0)
  if (mask & BIT_PAYLOAD_LEN) fields.push(frame.payload.length)
  if (mask & BIT_PAYLOAD_OFFSET) fields.push(offset)
  if (mask & BIT_DATA_LEN) fields.push(length)
  return `+WS_DATA:${linkId},${fields.map((f) => `${f},`).join('')}`
}
