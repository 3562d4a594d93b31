import { X509Certificate } from 'node:crypto'
import type { TLSSocket } from 'node:tls'
import { afterEach, describe, expect, it } from 'vitest'
import { verifyServerChain } from '../../src/simulator/tls-verify.ts'
import type { DeepPartial, DeviceProfile } from '../../src/simulator/profile.ts'
import { Harness } from './harness.ts'
import { itWith, stockPki } from '../helpers/external-material.ts'
import { DOC_CERTS, PROJECT_PKI, pem, startWsServer } from './servers.ts'
import type { TestWsServer } from './servers.ts'

const cert = (path: string) => new X509Certificate(pem(path))
/** Now, as the SNTP servers would say (the doc's certificates expire in 2034, the project's in 2049). */
const NOW = Date.now()

describe('verifyServerChain: the server chain as mbedTLS checks it, by the device clock', () => {
  const server = cert(`${PROJECT_PKI}server.crt`)
  const ca = cert(`${PROJECT_PKI}ca.crt`)

  it('accepts a chain that ends at a device CA and is valid at the device time', () => {
    expect(verifyServerChain([server], [ca], NOW)).toEqual({ ok: true })
    expect(verifyServerChain([server, ca], [ca], NOW)).toEqual({ ok: true })
  })

  it('refuses it at 1970 (not yet valid) and after it expired, whatever the host clock says', () => {
    expect(verifyServerChain([server], [ca], 0)).toMatchObject({ ok: false, problem: 'not-yet-valid' })
    expect(verifyServerChain([server], [ca], Date.UTC(2060, 0, 1))).toMatchObject({ ok: false, problem: 'expired' })
  })

  it('checks the trusted root\'s own validity too: the project CA expires one second before its server certificate', () => {
    // ca.crt is valid until Dec 31 23:10:17 2049, server.crt until 23:10:18.
    expect(verifyServerChain([server], [ca], Date.parse('2049-12-31T23:10:16.500Z'))).toEqual({ ok: true })
    expect(verifyServerChain([server], [ca], Date.parse('2049-12-31T23:10:17.500Z'))).toMatchObject({ ok: false, problem: 'expired', subject: ca.subject })
  })

  itWith('stock-pki', 'checks the trusted root\'s own validity too: the stock CA #0 becomes valid one second before the doc\'s server certificate', () => {
    const docServer = cert(`${DOC_CERTS}server.crt`)
    const stockCa = cert(stockPki('wss_ca_00.crt'))
    // wss_ca_00 is valid from Sep 19 09:33:39 2024; server.crt from one second later.
    expect(verifyServerChain([docServer], [stockCa], Date.parse('2024-09-19T09:33:40Z'))).toEqual({ ok: true })
    expect(verifyServerChain([docServer], [stockCa], Date.parse('2034-09-17T09:33:40Z'))).toMatchObject({ ok: false, problem: 'expired' })
  })

  it('refuses a chain no device CA signed, even one with the same issuer name (the doc\'s server_ca.crt is not server.crt\'s issuer)', () => {
    expect(verifyServerChain([server], [cert(`${DOC_CERTS}server_ca.crt`)], NOW)).toMatchObject({ ok: false, problem: 'not-trusted' })
    const docServer = cert(`${DOC_CERTS}server.crt`)
    expect(verifyServerChain([docServer], [cert(`${DOC_CERTS}server_ca.crt`)], NOW)).toMatchObject({ ok: false, problem: 'not-trusted' })
    expect(verifyServerChain([docServer], [ca], NOW)).toMatchObject({ ok: false, problem: 'not-trusted' })
  })

  itWith('stock-pki', 'trusts the doc\'s server certificate with the stock firmware\'s CA #0, which signed it, and not with its CA #1', () => {
    const docServer = cert(`${DOC_CERTS}server.crt`)
    expect(verifyServerChain([docServer], [cert(stockPki('wss_ca_00.crt'))], NOW)).toEqual({ ok: true })
    expect(verifyServerChain([docServer], [cert(stockPki('wss_ca_01.crt'))], NOW)).toMatchObject({ ok: false, problem: 'not-trusted' })
    expect(verifyServerChain([server], [cert(stockPki('wss_ca_01.crt'))], NOW)).toMatchObject({ ok: false, problem: 'not-trusted' })
  })

  itWith('stock-pki', 'never looks at the host name: the doc\'s server certificate is for "L1 CA", not an address', () => {
    const docServer = cert(`${DOC_CERTS}server.crt`)
    expect(docServer.subject).toContain('CN=L1 CA')
    expect(verifyServerChain([docServer], [cert(stockPki('wss_ca_00.crt'))], NOW)).toEqual({ ok: true })
  })
})

describe('wss:// links with the device PKI', () => {
  let h: Harness | undefined
  let server: TestWsServer | undefined
  afterEach(async () => {
    await h?.close()
    await server?.close()
    h = undefined
    server = undefined
  })

  /** A device on the router whose clock SNTP set to `time` (undefined: never synced, 1970). */
  async function device(time: number | undefined, overrides: DeepPartial<DeviceProfile> = {}): Promise<Harness> {
    const d = await Harness.boot({ ...overrides, sntp: { ...(time !== undefined ? { time } : {}), syncDelayMs: 1 } })
    await d.command('AT+CWJAP="espressif","1234567890"')
    if (time !== undefined) {
      await d.command('AT+CIPSNTPCFG=1,0')
      await d.until('+TIME_UPDATED')
    }
    d.clear()
    return d
  }

  const projectServer = (clientCa = true) =>
    startWsServer({ tls: { cert: pem(`${PROJECT_PKI}server.crt`), key: pem(`${PROJECT_PKI}server.key`), ...(clientCa ? { clientCa: pem(`${PROJECT_PKI}ca.crt`) } : {}) } })

  async function open(d: Harness, authLine: string, uri: string): Promise<string> {
    await d.command(authLine)
    return d.command(`AT+WSOPEN=0,"${uri}"`)
  }

  it('mutual authentication (auth mode 3) with the clock set: the server gets the client certificate, no SNI is sent', async () => {
    server = await projectServer()
    h = await device(NOW)
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,3,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n`)
    const connection = await server.nextConnection()
    expect(connection.servername).toBe(false)
    const peer = (connection.request.socket as TLSSocket).getPeerX509Certificate()
    expect(peer?.subject).toContain('CN=at-scenario simulated ESP-AT device')
    h.clear()
    await h.command('AT+WSSEND=0,4', /\r\n>$/)
    h.write('test')
    await h.until('+WS_DATA:0,4,test\r\n')
  })

  it('auth mode 3 before SNTP (device clock in 1970): the server certificate is not yet valid, +WS_DISCONNECTED and ERROR', async () => {
    server = await projectServer()
    h = await device(undefined)
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,3,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n`)
    expect(server.connections).toEqual([])
  })

  it('auth mode 2 with a clock past the certificate\'s end (SNTP says 2060): expired, refused', async () => {
    server = await projectServer(false)
    h = await device(Date.UTC(2060, 0, 1))
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,2,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n`)
  })

  it('auth mode 2 with a CA that did not sign the server: refused', async () => {
    server = await projectServer(false)
    h = await device(NOW, { pki: { caCerts: [`${DOC_CERTS}server_ca.crt`] } })
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,2,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n`)
  })

  it('auth mode 2 presents no client certificate: a server that requires one refuses the handshake', async () => {
    server = await projectServer(true)
    h = await device(NOW)
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,2,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_DISCONNECTED:0\r\n\r\nERROR\r\n`)
  })

  itWith('stock-pki', 'auth mode 3 never checks the host name and sends no SNI: the doc\'s "L1 CA" server reached as localhost', async () => {
    server = await startWsServer({ tls: { cert: pem(`${DOC_CERTS}server.crt`), key: pem(`${DOC_CERTS}server.key`), clientCa: pem(`${DOC_CERTS}server_ca.crt`) } })
    h = await device(NOW, {
      pki: { clientCerts: [stockPki('wss_client_00.crt')], clientKeys: [stockPki('wss_client_00.key')], caCerts: [stockPki('wss_ca_00.crt')] },
    })
    const uri = `wss://localhost:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,3,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n`)
    expect((await server.nextConnection()).servername).toBe(false)
  })

  it('auth mode 0 verifies nothing (1970 clock, unknown CA) and sends the host name as SNI', async () => {
    server = await projectServer(false)
    h = await device(undefined, { pki: { caCerts: [] } })
    const uri = `wss://localhost:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n`)
    expect((await server.nextConnection()).servername).toBe('localhost')
  })

  it('auth mode 1 presents the client certificate and does not verify the server', async () => {
    server = await projectServer(true)
    h = await device(undefined)
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await open(h, 'AT+WSCFG=0,30,60,4096,1,0,0', uri)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n`)
  })

  it('without AT+WSCFG a wss:// link is auth mode 0', async () => {
    server = await projectServer(false)
    h = await device(undefined)
    const uri = `wss://127.0.0.1:${server.port}`
    expect(await h.command(`AT+WSOPEN=0,"${uri}"`)).toBe(`AT+WSOPEN=0,"${uri}"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n`)
  })
})
