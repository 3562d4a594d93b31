import type { Args } from '../../at-error.ts'
import { AtError, ErrCode } from '../../at-error.ts'
import type { CommandContext, CommandSpec, FinalResult } from '../../device.ts'
import { performHttp } from '../../http/http-request.ts'
import type { HttpOutcome, HttpRequest, Method } from '../../http/http-request.ts'

const METHODS: Record<number, Method> = { 1: 'HEAD', 2: 'GET', 3: 'POST', 4: 'PUT', 5: 'DELETE' }
const CONTENT_TYPES = ['application/x-www-form-urlencoded', 'application/json', 'multipart/form-data', 'text/xml']
/** esp_http_client's default buffer: AT+HTTPCLIENT's and AT+HTTPCPOST's records are at most this long. */
const CLIENT_BUFFER = 512
const DEFAULT_BUFFER = 2048
const DEFAULT_TIMEOUT_MS = 5000
/** `ERR CODE:0x010a7000`, "connection failed"; a status >= 400 adds it (404: 0x010a7194). */
const HTTP_ERROR_BASE = 0x7000

/**
 * The HTTP command set (HTTP_AT_Commands.rst, notes §7): AT+HTTPCLIENT, AT+HTTPGETSIZE,
 * AT+HTTPCGET, AT+HTTPCPOST, AT+HTTPCPUT, AT+HTTPURLCFG, AT+HTTPCHEAD, on real servers. Every
 * body record is part of the response: `+HTTPCLIENT:<n>,<n bytes>\r\n` (the CR LF not counted);
 * a HEAD prints one `+HTTPCLIENT:<n>,<key>: <value>\r\n` per response header, with no space after
 * the comma whatever the doc example shows.
 */
export const httpCommands: [string, CommandSpec][] = [
  [
    '+HTTPCLIENT',
    {
      set: async (ctx, args) => {
        if (args.count < 6) throw new AtError()
        const method = METHODS[args.int(0, 1, 5)]!
        const contentType = CONTENT_TYPES[args.int(1, 0, 3)]!
        const given = args.str(2, '')
        const host = args.has(3) ? args.str(3) : ''
        const path = args.has(4) ? args.str(4) : ''
        const transport = args.int(5, 1, 2, 1)
        const data = method === 'POST' && args.given(6) ? Buffer.from(args.str(6, ''), 'latin1') : undefined
        const headerStart = method === 'POST' ? 7 : 6
        const headers = [`Content-Type: ${contentType}`]
        for (let i = headerStart; i < args.count; i++) headers.push(args.str(i))
        // A URL wins over host and path; an empty one uses AT+HTTPURLCFG's, else host and path.
        const text = given || ctx.state.http.url || (host ? `${transport === 2 ? 'https' : 'http'}://${host}${path.startsWith('/') ? path : `/${path}`}` : '')
        const url = parseUrl(text)
        const req: HttpRequest = {
          method,
          url,
          headers: withGlobalHeaders(ctx, method === 'GET' || method === 'HEAD' ? [] : headers),
          timeoutMs: DEFAULT_TIMEOUT_MS,
          bufferSize: CLIENT_BUFFER,
          ...(method === 'POST' || method === 'PUT' || method === 'DELETE' ? { body: data ?? Buffer.alloc(0) } : {}),
        }
        const outcome = await performHttp(ctx, req, (chunk) => printRecord(ctx, '+HTTPCLIENT', chunk))
        if (outcome.kind === 'response' && method === 'HEAD') {
          for (const [k, v] of outcome.headers) printRecord(ctx, '+HTTPCLIENT', Buffer.from(`${k}: ${v}`, 'latin1'))
        }
        return verdict(outcome, 'OK')
      },
    },
  ],
  [
    '+HTTPGETSIZE',
    {
      set: async (ctx, args) => {
        const { url, timeoutMs } = fetchArgs(ctx, args)
        const outcome = await performHttp(ctx, { method: 'GET', url, headers: withGlobalHeaders(ctx, []), timeoutMs, bufferSize: DEFAULT_BUFFER, headersOnly: true }, () => undefined)
        if (outcome.kind === 'response' && outcome.status < 400) ctx.line(`+HTTPGETSIZE:${outcome.contentLength ?? 0}`)
        return verdict(outcome, 'OK')
      },
    },
  ],
  [
    '+HTTPCGET',
    {
      set: async (ctx, args) => {
        const { url, timeoutMs, rxSize } = fetchArgs(ctx, args)
        const outcome = await performHttp(ctx, { method: 'GET', url, headers: withGlobalHeaders(ctx, []), timeoutMs, bufferSize: rxSize }, (chunk) => printRecord(ctx, '+HTTPCGET', chunk))
        return verdict(outcome, 'OK')
      },
    },
  ],
  ['+HTTPCPOST', { set: (ctx, args) => sendBody(ctx, args, 'POST') }],
  ['+HTTPCPUT', { set: (ctx, args) => sendBody(ctx, args, 'PUT') }],
  [
    '+HTTPURLCFG',
    {
      // No CR LF after the URL: the \r\n of \r\nOK\r\n ends it (notes §7.5).
      query: (ctx) => {
        const url = ctx.state.http.url
        if (url) ctx.record([Buffer.from(`+HTTPURLCFG:${Buffer.byteLength(url, 'latin1')},`), Buffer.from(url, 'latin1')])
        return 'OK' as const
      },
      set: async (ctx, args) => {
        args.expectCount(1)
        const length = args.int(0, 0, 8192)
        if (length === 0) {
          ctx.state.http.url = undefined
          return 'OK' as const
        }
        if (length < 8) throw args.outOfRange(0)
        const url = Buffer.from(await ctx.readPayload(length))
        if (url.includes(0)) throw new AtError() // strlen differs from the length
        ctx.state.http.url = url.toString('latin1')
        return 'SET OK' as const
      },
    },
  ],
  [
    '+HTTPCHEAD',
    {
      query: (ctx) => {
        ctx.state.http.headers.forEach(([key, value], i) => ctx.line(`+HTTPCHEAD:${i},"${key}:${value}"`))
        return 'OK' as const
      },
      set: async (ctx, args) => {
        args.expectCount(1)
        const length = args.int(0, 0, 8192)
        if (length === 0) {
          ctx.state.http.headers = []
          return 'OK' as const
        }
        const header = Buffer.from(await ctx.readPayload(length)).toString('latin1')
        const colon = header.indexOf(':')
        if (colon <= 0 || header.includes('\0')) throw new AtError()
        const key = header.slice(0, colon)
        const value = header.slice(colon + 1)
        // One header per command; the same key again replaces its value.
        const headers = ctx.state.http.headers.filter(([k]) => k.toLowerCase() !== key.toLowerCase())
        ctx.state.http.headers = [...headers, [key, value]]
        return 'OK' as const
      },
    },
  ],
]

/** AT+HTTPCPOST/AT+HTTPCPUT=<"url">,<length>[,<http_req_header_cnt>][,<"http_req_header">...]: the prompt, the body, the response's records, then SEND OK. */
async function sendBody(ctx: CommandContext, args: Args, method: 'POST' | 'PUT'): Promise<FinalResult> {
  if (args.count < 2) throw new AtError()
  const url = parseUrl(args.str(0, '') || ctx.state.http.url || '')
  const length = args.int(1, 0, 1 << 20)
  const count = args.int(2, 0, 64, 0)
  if (args.count !== (args.given(2) ? 3 + count : 2)) throw new AtError()
  const headers = ['Content-Type: application/x-www-form-urlencoded']
  for (let i = 0; i < count; i++) headers.push(args.str(3 + i))
  const body = length > 0 ? await ctx.readPayload(length) : new Uint8Array(0)
  const prefix = method === 'POST' ? '+HTTPCPOST' : '+HTTPCPUT'
  const outcome = await performHttp(ctx, { method, url, headers: withGlobalHeaders(ctx, headers), body, timeoutMs: DEFAULT_TIMEOUT_MS, bufferSize: CLIENT_BUFFER }, (chunk) => printRecord(ctx, prefix, chunk))
  if (outcome.kind === 'failed') return 'SEND FAIL'
  return verdict(outcome, 'SEND OK')
}

/** `<"url">[,<tx size>][,<rx size>][,<timeout>]` of AT+HTTPGETSIZE and AT+HTTPCGET. */
function fetchArgs(ctx: CommandContext, args: Args): { url: URL; rxSize: number; timeoutMs: number } {
  args.expectCount(1, 2, 3, 4)
  const url = parseUrl(args.str(0, '') || ctx.state.http.url || '')
  args.int(1, 0, 10_240, DEFAULT_BUFFER)
  const rx = args.int(2, 0, 10_240, DEFAULT_BUFFER)
  return { url, rxSize: rx === 0 ? DEFAULT_BUFFER : rx, timeoutMs: args.int(3, 0, 180_000, DEFAULT_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS }
}

/** The command's own headers, then AT+HTTPCHEAD's, which win for the same key. */
function withGlobalHeaders(ctx: CommandContext, own: string[]): string[] {
  return [...own, ...ctx.state.http.headers.map(([k, v]) => `${k}:${v}`)]
}

function parseUrl(text: string): URL {
  if (!/^https?:\/\/[^/?#]/i.test(text)) throw new AtError()
  try {
    return new URL(text)
  } catch {
    throw new AtError()
  }
}

/** `<prefix>:<n>,<n bytes>\r\n`: one write, the CR LF not counted. */
function printRecord(ctx: CommandContext, prefix: string, data: Buffer): void {
  ctx.record([Buffer.from(`${prefix}:${data.length},`), data, Buffer.from('\r\n')])
}

/** A connection failure: ERR CODE 0x010a7000; a status >= 400: 0x010a7000 + the status. */
function verdict(outcome: HttpOutcome, success: FinalResult): FinalResult {
  if (outcome.kind === 'failed') throw new AtError(ErrCode.execFail(HTTP_ERROR_BASE))
  if (outcome.status >= 400) throw new AtError(ErrCode.execFail(HTTP_ERROR_BASE + outcome.status))
  return success
}
