import { request as httpRequest } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { DeviceRuntime } from '../runtime.ts'
import { resolveHost } from '../tcpip/resolve.ts'

/** What esp_http_client sends as its User-Agent (HTTP examples ~L252). */
export const USER_AGENT = 'ESP32 HTTP Client/1.0'

export type Method = 'HEAD' | 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface HttpRequest {
  method: Method
  url: URL
  /** Header lines `key: value`, later ones replacing earlier ones with the same key. */
  headers: string[]
  body?: Uint8Array
  timeoutMs: number
  /** The client's receive buffer: the body comes in records of at most this many bytes. */
  bufferSize: number
  /** Stop after the headers (AT+HTTPGETSIZE). */
  headersOnly?: boolean
}

export type HttpOutcome =
  | { kind: 'response'; status: number; headers: [string, string][]; contentLength?: number }
  | { kind: 'failed' }

/**
 * One request of esp_http_client (short-lived connection, no redirects followed, the server's
 * certificate not checked: AT+HTTPCFG is not in the default firmware). The body is handed to
 * `onData` as the client's reads would give it: the response's bytes fill the receive buffer from
 * the status line on, so the first record is what is left of the buffer after the headers
 * (the examples' 282 + 173), the others are full buffers.
 */
export async function performHttp(runtime: DeviceRuntime, req: HttpRequest, onData: (chunk: Buffer) => void): Promise<HttpOutcome> {
  const secure = req.url.protocol === 'https:'
  const host = req.url.hostname.replace(/^\[|\]$/g, '')
  const ip = await resolveHost(runtime.profile, host)
  if (!ip || !runtime.alive) return { kind: 'failed' }
  const headers: Record<string, string> = { 'User-Agent': USER_AGENT }
  for (const line of req.headers) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const key = line.slice(0, colon).trim()
    for (const k of Object.keys(headers)) if (k.toLowerCase() === key.toLowerCase()) delete headers[k]
    headers[key] = line.slice(colon + 1).trim()
  }
  if (req.body !== undefined) headers['Content-Length'] = String(req.body.length)
  const port = Number(req.url.port || (secure ? 443 : 80))
  const options = {
    host: ip,
    port,
    method: req.method,
    path: `${req.url.pathname}${req.url.search}`,
    headers: { Host: req.url.port ? `${host}:${port}` : host, ...headers },
    agent: false as const,
    setHost: false,
    ...(secure ? { rejectUnauthorized: false, servername: /^[\d.]+$/.test(host) ? '' : host } : {}),
  }
  return new Promise<HttpOutcome>((resolve) => {
    let settled = false
    const settle = (outcome: HttpOutcome) => {
      if (settled) return
      settled = true
      cancelTimer()
      runtime.signal.removeEventListener('abort', onAbort)
      resolve(outcome)
    }
    const client = (secure ? httpsRequest : httpRequest)(options, (res: IncomingMessage) => {
      const pairs: [string, string][] = []
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!])
      const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined
      const head = { kind: 'response' as const, status: res.statusCode ?? 0, headers: pairs, ...(length !== undefined ? { contentLength: length } : {}) }
      if (req.headersOnly || req.method === 'HEAD') {
        res.destroy()
        settle(head)
        return
      }
      const chunker = bufferChunker(headLength(res, pairs), req.bufferSize, onData, res.headers['transfer-encoding'] === undefined)
      res.on('data', (d: Buffer) => chunker.push(d))
      res.on('end', () => {
        chunker.end()
        settle(head)
      })
      res.on('error', () => settle({ kind: 'failed' }))
    })
    client.on('error', () => settle({ kind: 'failed' }))
    const cancelTimer = runtime.after(req.timeoutMs, () => {
      client.destroy()
      settle({ kind: 'failed' })
    })
    const onAbort = () => {
      client.destroy()
      settle({ kind: 'failed' })
    }
    runtime.signal.addEventListener('abort', onAbort, { once: true })
    client.end(req.body ? Buffer.from(req.body) : undefined)
  })
}

/** The bytes of the status line and headers as they came (CR LF each, and the blank line). */
function headLength(res: IncomingMessage, pairs: [string, string][]): number {
  let n = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}\r\n`.length + 2
  for (const [k, v] of pairs) n += Buffer.byteLength(`${k}: ${v}\r\n`)
  return n
}

/**
 * Cuts the body at the edges of the receive buffer, counted from the start of the response; a
 * chunked body (whose framing takes buffer room too) is cut in plain buffers.
 */
function bufferChunker(head: number, size: number, out: (chunk: Buffer) => void, aligned: boolean) {
  let pending = Buffer.alloc(0)
  let room = aligned ? size - (head % size) : size
  return {
    push(data: Buffer) {
      pending = Buffer.concat([pending, data])
      while (pending.length >= room) {
        out(pending.subarray(0, room))
        pending = pending.subarray(room)
        room = size
      }
    },
    end() {
      if (pending.length > 0) out(pending)
    },
  }
}
