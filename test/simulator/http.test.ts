import { describe, expect, it } from 'vitest'
import { useResources } from '../helpers/resources.ts'
import { freePort } from '../helpers/net.ts'
import { useHarness } from './harness.ts'
import type { Harness } from './harness.ts'
import { pem, PROJECT_PKI, startHttpServer } from './servers.ts'

const boot = useHarness()
const track = useResources()

async function joined(overrides = {}): Promise<Harness> {
  const h = await boot(overrides)
  await h.command('AT+CWMODE=1')
  await h.command('AT+CWJAP="espressif","1234567890"')
  h.clear()
  return h
}

/** The records of a response: [length, data] per `+<prefix>:<n>,<data>\r\n`, read by length. */
function records(text: string, prefix: string): [number, string][] {
  const out: [number, string][] = []
  const head = new RegExp(`\\+${prefix}:(\\d+),`, 'y')
  let at = text.indexOf(`+${prefix}:`)
  while (at >= 0) {
    head.lastIndex = at
    const m = head.exec(text)!
    const n = Number(m[1])
    const start = at + m[0].length
    out.push([n, text.slice(start, start + n)])
    expect(text.slice(start + n, start + n + 2)).toBe('\r\n')
    at = text.indexOf(`+${prefix}:`, start + n)
  }
  return out
}

describe('AT+HTTPCLIENT (HTTP examples, notes §7.1)', () => {
  it('GET: the body in +HTTPCLIENT records with an uncounted CR LF, then OK; the request is esp_http_client\'s', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    const out = await h.command(`AT+HTTPCLIENT=2,0,"http://127.0.0.1:${server.port}/get?x=1",,,1`)
    const body = records(out, 'HTTPCLIENT').map(([, d]) => d).join('')
    expect(JSON.parse(body)).toEqual({ method: 'GET', url: '/get?x=1', data: '' })
    expect(out.endsWith('\r\n\r\nOK\r\n')).toBe(true)
    expect(server.requests[0]!.headers['user-agent']).toBe('ESP32 HTTP Client/1.0')
  })

  it('HEAD: one record per response header, `<key>: <value>`, no space after the comma', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    const out = await h.command(`AT+HTTPCLIENT=1,0,"http://127.0.0.1:${server.port}/get",,,1`)
    const heads = records(out, 'HTTPCLIENT')
    expect(heads).toContainEqual([30, 'Content-Type: application/json'])
    for (const [n, d] of heads) expect(n).toBe(d.length)
    expect(out).not.toContain('+HTTPCLIENT: ')
  })

  it('POST sends the data with the content type; host and path stand in for an empty URL', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    await h.command(`AT+HTTPCLIENT=3,1,"","127.0.0.1:${server.port}","/post",1,"{\\"form\\":{\\"purpose\\":\\"test\\"}}"`)
    const req = server.requests[0]!
    expect(req.method).toBe('POST')
    expect(req.url).toBe('/post')
    expect(req.body.toString()).toBe('{"form":{"purpose":"test"}}')
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers['content-length']).toBe('27')
  })

  it('a long body comes in 512-byte records aligned to the response\'s start: the first holds what the headers left', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    const out = await h.command(`AT+HTTPCLIENT=2,0,"http://127.0.0.1:${server.port}/bytes/1500",,,1`)
    const lengths = records(out, 'HTTPCLIENT').map(([n]) => n)
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(1500)
    expect(lengths.slice(1, -1).every((n) => n === 512)).toBe(true)
    expect(lengths[0]).toBeLessThan(512)
  })

  it('status >= 400: ERR CODE 0x010a7<status> with SYSLOG; a refused connection: 0x010a7000', async () => {
    const server = track(await startHttpServer())
    const closed = await freePort()
    const h = await joined()
    await h.command('AT+SYSLOG=1')
    expect(await h.command(`AT+HTTPCLIENT=2,0,"http://127.0.0.1:${server.port}/status/404",,,1`)).toMatch(/\+HTTPCLIENT:4,nope\r\nERR CODE:0x010a7194\r\n\r\nERROR\r\n$/)
    expect(await h.command(`AT+HTTPCLIENT=2,0,"http://127.0.0.1:${closed}/get",,,1`)).toBe(`AT+HTTPCLIENT=2,0,"http://127.0.0.1:${closed}/get",,,1\r\nERR CODE:0x010a7000\r\n\r\nERROR\r\n`)
  })

  it('https:// with transport 2 does not check the server certificate (no AT+HTTPCFG in the default firmware)', async () => {
    const server = track(await startHttpServer({ tls: { cert: pem(`${PROJECT_PKI}server.crt`), key: pem(`${PROJECT_PKI}server.key`) } }))
    const h = await joined()
    const out = await h.command(`AT+HTTPCLIENT=2,0,"https://127.0.0.1:${server.port}/bytes/3",,,2`)
    expect(out).toContain('+HTTPCLIENT:3,xxx\r\n')
  })
})

describe('AT+HTTPGETSIZE, AT+HTTPCGET, AT+HTTPCPOST, AT+HTTPCPUT, AT+HTTPURLCFG, AT+HTTPCHEAD (notes §7.2-§7.6)', () => {
  it('GETSIZE prints the Content-Length; CGET the body in records of the rx size', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    expect(await h.command(`AT+HTTPGETSIZE="http://127.0.0.1:${server.port}/bytes/5000"`)).toBe(`AT+HTTPGETSIZE="http://127.0.0.1:${server.port}/bytes/5000"\r\n+HTTPGETSIZE:5000\r\n\r\nOK\r\n`)
    const out = await h.command(`AT+HTTPCGET="http://127.0.0.1:${server.port}/bytes/5000",2048,1024`)
    const lengths = records(out, 'HTTPCGET').map(([n]) => n)
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(5000)
    expect(Math.max(...lengths)).toBe(1024)
  })

  it('CPOST: the prompt, n bytes, the response as +HTTPCPOST records before SEND OK; headers from the parameters', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    const cmd = `AT+HTTPCPOST="http://127.0.0.1:${server.port}/post",4,2,"connection: keep-alive","content-type: application/json"`
    expect(await h.command(cmd, /\r\n>$/)).toBe(`${cmd}\r\n\r\nOK\r\n\r\n>`)
    h.clear()
    h.write('{"a"')
    await h.until('SEND OK\r\n')
    expect(h.text()).toMatch(/^\+HTTPCPOST:\d+,\{.*\}\r\n\r\nSEND OK\r\n$/s)
    expect(server.requests[0]!.headers['content-type']).toBe('application/json')
    expect(server.requests[0]!.body.toString()).toBe('{"a"')
    const put = `AT+HTTPCPUT="http://127.0.0.1:${server.port}/put",2`
    await h.command(put, /\r\n>$/)
    h.clear()
    h.write('ab')
    await h.until('SEND OK\r\n')
    expect(h.text()).toMatch(/^\+HTTPCPUT:\d+,/)
    expect(server.requests[1]!.method).toBe('PUT')
    expect(server.requests[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded')
  })

  it('HTTPURLCFG: prompt, the URL, SET OK and no OK; the query has no CR LF before OK; "" then uses it', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    const url = `http://127.0.0.1:${server.port}/bytes/2`
    expect(await h.command(`AT+HTTPURLCFG=${url.length}`, /\r\n>$/)).toBe(`AT+HTTPURLCFG=${url.length}\r\n\r\nOK\r\n\r\n>`)
    h.clear()
    h.write(url)
    await h.until('\r\nSET OK\r\n')
    expect(h.text()).toBe('\r\nSET OK\r\n')
    expect(await h.command('AT+HTTPURLCFG?')).toBe(`AT+HTTPURLCFG?\r\n+HTTPURLCFG:${url.length},${url}\r\nOK\r\n`)
    expect(await h.command('AT+HTTPCGET=""')).toContain('+HTTPCGET:2,xx\r\n')
    expect(await h.command('AT+HTTPURLCFG=0')).toBe('AT+HTTPURLCFG=0\r\n\r\nOK\r\n')
    expect(await h.command('AT+HTTPURLCFG?')).toBe('AT+HTTPURLCFG?\r\n\r\nOK\r\n')
  })

  it('HTTPCHEAD adds a global header, replaces one with the same key, lists them; 0 clears', async () => {
    const server = track(await startHttpServer())
    const h = await joined()
    await h.command('AT+HTTPCHEAD=18', /\r\n>$/)
    h.clear()
    h.write('Range: bytes=0-255')
    await h.until('\r\nOK\r\n')
    expect(await h.command('AT+HTTPCHEAD?')).toBe('AT+HTTPCHEAD?\r\n+HTTPCHEAD:0,"Range: bytes=0-255"\r\n\r\nOK\r\n')
    await h.command('AT+HTTPCHEAD=16', /\r\n>$/)
    h.clear()
    h.write('range: bytes=1-2')
    await h.until('\r\nOK\r\n')
    expect(await h.command('AT+HTTPCHEAD?')).toBe('AT+HTTPCHEAD?\r\n+HTTPCHEAD:0,"range: bytes=1-2"\r\n\r\nOK\r\n')
    await h.command(`AT+HTTPCGET="http://127.0.0.1:${server.port}/get"`)
    expect(server.requests[0]!.headers.range).toBe('bytes=1-2')
    expect(await h.command('AT+HTTPCHEAD=0')).toBe('AT+HTTPCHEAD=0\r\n\r\nOK\r\n')
    expect(await h.command('AT+HTTPCHEAD?')).toBe('AT+HTTPCHEAD?\r\n\r\nOK\r\n')
  })
})
