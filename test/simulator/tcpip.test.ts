import { describe, expect, it } from 'vitest'
import { useResources } from '../helpers/resources.ts'
import { until, useHarness } from './harness.ts'
import type { Harness } from './harness.ts'
import { connectTcp, pem, PROJECT_PKI, startTcpServer, startUdpPeer } from './servers.ts'
import { freePort } from '../helpers/net.ts'

const boot = useHarness()
const track = useResources()

/** A device that joined the doc's router; SYSLOG off, as after boot. */
async function joined(overrides = {}): Promise<Harness> {
  const h = await boot(overrides)
  await h.command('AT+CWMODE=1')
  await h.command('AT+CWJAP="espressif","1234567890"')
  h.clear()
  return h
}

const plainError = (line: string) => `${line}\r\n\r\nERROR\r\n`

describe('TCP client in single connection (TCP-IP examples, notes §3.2, §3.3, §4)', () => {
  it('connects, sends with Recv/SEND OK, receives \\r\\n+IPD,4:test\\r\\n, closes with CLOSED', async () => {
    const server = track(await startTcpServer())
    const h = await joined()
    const start = `AT+CIPSTART="TCP","127.0.0.1",${server.port}`
    expect(await h.command(start)).toBe(`${start}\r\nCONNECT\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CIPSEND=4', /\r\n>$/)).toBe('AT+CIPSEND=4\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write('test')
    // The echo server sends the 4 bytes back: the record has a CR LF on both sides, neither counted.
    await h.until('+IPD,4:test\r\n')
    expect(h.text()).toBe('\r\nRecv 4 bytes\r\n\r\nSEND OK\r\n\r\n+IPD,4:test\r\n')
    expect(await h.command('AT+CIPCLOSE')).toBe('AT+CIPCLOSE\r\nCLOSED\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPCLOSE')).toBe(plainError('AT+CIPCLOSE'))
  })

  it('more bytes than announced: busy p... before SEND OK, and only the first n are sent', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    await h.command('AT+CIPSEND=4', /\r\n>$/)
    h.clear()
    h.write('test\r\n')
    await h.until('SEND OK\r\n')
    expect(h.text()).toBe('\r\nbusy p...\r\n\r\nRecv 4 bytes\r\n\r\nSEND OK\r\n')
    expect((await peer.bytesUntil(4)).toString()).toBe('test')
  })

  it('a lone +++ chunk in the data phase cancels: SEND Canceled, nothing sent', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    await h.command('AT+CIPSEND=10', /\r\n>$/)
    h.clear()
    h.write('+++')
    await h.until('\r\nSEND Canceled\r\n')
    expect(h.text()).toBe('\r\nSEND Canceled\r\n')
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
    expect(peer.received().length).toBe(0)
  })

  it('the peer closing prints CLOSED as a URC; the link is free again', async () => {
    const server = track(await startTcpServer())
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    h.clear()
    peer.socket.end()
    await h.until('CLOSED\r\n')
    expect(h.text()).toBe('CLOSED\r\n')
    expect(await h.command('AT+CIPSTATE?')).toBe('AT+CIPSTATE?\r\n\r\nOK\r\n')
  })

  it('errors as the firmware: refused connection, link in use, no IP, CIPSEND on a free link, wrong forms', async () => {
    const closedPort = await freePort()
    const server = track(await startTcpServer())
    const h = await boot()
    const start = `AT+CIPSTART="TCP","127.0.0.1",${server.port}`
    expect(await h.command(start)).toBe(plainError(start)) // no IP yet
    await h.command('AT+CWJAP="espressif","1234567890"')
    const refused = `AT+CIPSTART="TCP","127.0.0.1",${closedPort}`
    expect(await h.command(refused)).toBe(plainError(refused))
    expect(await h.command('AT+CIPSEND=4')).toBe(plainError('AT+CIPSEND=4'))
    expect(await h.command(start)).toBe(`${start}\r\nCONNECT\r\n\r\nOK\r\n`)
    // Already connected: the firmware says so on its log port only.
    expect(await h.command(start)).toBe(plainError(start))
    expect(await h.command('AT+CIPMUX=1')).toBe(plainError('AT+CIPMUX=1')) // a connection exists
    expect(await h.command('AT+CIPCLOSE=0')).toBe(plainError('AT+CIPCLOSE=0')) // the set form is for CIPMUX=1
    expect(await h.command('AT+CIPSEND=0')).toBe(plainError('AT+CIPSEND=0'))
    expect(await h.command('AT+CIPSEND=8193')).toBe(plainError('AT+CIPSEND=8193'))
    expect(await h.command('AT+CIPSEND')).toBe(plainError('AT+CIPSEND')) // passthrough needs CIPMODE=1
  })

  it('AT+CIPSTATE? and AT+CIPSTATUS list the link; AT+CIPDINFO adds the remote to +IPD', async () => {
    const server = track(await startTcpServer())
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    const localPort = peer.socket.remotePort!
    expect(await h.command('AT+CIPSTATE?')).toBe(`AT+CIPSTATE?\r\n+CIPSTATE:0,"TCP","127.0.0.1",${server.port},${localPort},0\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CIPSTATUS')).toBe(`AT+CIPSTATUS\r\nSTATUS:3\r\n+CIPSTATUS:0,"TCP","127.0.0.1",${server.port},${localPort},0\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CIPDINFO?')).toBe('AT+CIPDINFO?\r\n+CIPDINFO:false\r\nOK\r\n')
    await h.command('AT+CIPDINFO=1')
    h.clear()
    peer.socket.write('hi')
    await h.until(`\r\n+IPD,2,"127.0.0.1",${server.port}:hi\r\n`)
  })

  it('data beyond 2920 bytes comes as several +IPD records', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    h.clear()
    peer.socket.write(Buffer.alloc(4000, 0x61))
    await until(() => countOf(h.text(), 'a') === 4000)
    const lengths = [...h.text().matchAll(/\r\n\+IPD,(\d+):/g)].map((m) => Number(m[1]))
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(4000)
    expect(Math.max(...lengths)).toBeLessThanOrEqual(2920)
  })
})

describe('multiple connections, the device as a server (notes §3.10)', () => {
  it('a host client gets 0,CONNECT; CIPSEND=0,4 reaches it; its data is +IPD,0,4:test; CIPCLOSE=0 prints 0,CLOSED', async () => {
    const port = await freePort()
    const h = await joined()
    expect(await h.command(`AT+CIPSERVER=1,${port}`)).toBe(plainError(`AT+CIPSERVER=1,${port}`)) // needs CIPMUX=1
    await h.command('AT+CIPMUX=1')
    expect(await h.command(`AT+CIPSERVER=1,${port}`)).toBe(`AT+CIPSERVER=1,${port}\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CIPSERVER?')).toBe(`AT+CIPSERVER?\r\n+CIPSERVER:1,${port},"TCP",0,0\r\n\r\nOK\r\n`)
    h.clear()
    const client = await connectTcp(port)
    await h.until('0,CONNECT\r\n')
    expect(h.text()).toBe('0,CONNECT\r\n')
    await h.command('AT+CIPSEND=0,4', /\r\n>$/)
    h.write('test')
    await h.until('SEND OK\r\n')
    expect((await client.bytesUntil(4)).toString()).toBe('test')
    h.clear()
    client.socket.write('test')
    await h.until('\r\n+IPD,0,4:test\r\n')
    expect(await h.command('AT+CIPCLOSE=0')).toBe('AT+CIPCLOSE=0\r\n0,CLOSED\r\n\r\nOK\r\n')
    await client.closed
    expect(await h.command('AT+CIPMUX=0')).toBe(plainError('AT+CIPMUX=0')) // a server runs
    expect(await h.command('AT+CIPSERVER=0')).toBe('AT+CIPSERVER=0\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSERVER?')).toBe('AT+CIPSERVER?\r\n+CIPSERVER:0\r\n\r\nOK\r\n')
  })

  it('AT+CIPSERVERMAXCONN limits the clients; more are turned away', async () => {
    const port = await freePort()
    const h = await joined()
    await h.command('AT+CIPMUX=1')
    expect(await h.command('AT+CIPSERVERMAXCONN=1')).toBe('AT+CIPSERVERMAXCONN=1\r\n\r\nOK\r\n')
    await h.command(`AT+CIPSERVER=1,${port}`)
    expect(await h.command('AT+CIPSERVERMAXCONN=2')).toBe(plainError('AT+CIPSERVERMAXCONN=2'))
    const first = await connectTcp(port)
    await h.until('0,CONNECT\r\n')
    const second = await connectTcp(port)
    await second.closed
    expect(h.text()).not.toContain('1,CONNECT')
    first.socket.destroy()
    await h.until('0,CLOSED\r\n')
    await h.command('AT+CIPSERVER=0,1')
  })

  it('with SYSMSG bit1 a connection is +LINK_CONN with type, terminal, addresses and ports', async () => {
    const server = track(await startTcpServer())
    const h = await joined()
    await h.command('AT+CIPMUX=1')
    await h.command('AT+SYSMSG=2')
    const start = `AT+CIPSTART=3,"TCP","127.0.0.1",${server.port}`
    const out = await h.command(start)
    const peer = await server.nextConnection()
    expect(out).toBe(`${start}\r\n+LINK_CONN:0,3,"TCP",0,"127.0.0.1",${server.port},${peer.socket.remotePort}\r\n\r\nOK\r\n`)
  })

  it('AT+CIPSTARTEX picks the lowest free link ID', async () => {
    const server = track(await startTcpServer())
    const h = await joined()
    await h.command('AT+CIPMUX=1')
    await h.command(`AT+CIPSTART=0,"TCP","127.0.0.1",${server.port}`)
    const ex = `AT+CIPSTARTEX="TCP","127.0.0.1",${server.port}`
    expect(await h.command(ex)).toBe(`${ex}\r\n1,CONNECT\r\n\r\nOK\r\n`)
    expect(await h.command('AT+CIPCLOSE=5')).toBe('AT+CIPCLOSE=5\r\n0,CLOSED\r\n1,CLOSED\r\n\r\nOK\r\n')
  })
})

describe('UDP (TCP-IP examples 3 and 4)', () => {
  it('fixed remote: CIPSTART=4,"UDP",...,<local port>,0; send; the peer sends to the local port: +IPD,4,4:test', async () => {
    const peer = track(await startUdpPeer())
    const local = await freePort()
    const h = await joined()
    await h.command('AT+CIPMUX=1')
    const start = `AT+CIPSTART=4,"UDP","127.0.0.1",${peer.port},${local},0`
    expect(await h.command(start)).toBe(`${start}\r\n4,CONNECT\r\n\r\nOK\r\n`)
    await h.command('AT+CIPSEND=4,7', /\r\n>$/)
    h.clear()
    h.write('abcdefg')
    await h.until('SEND OK\r\n')
    expect(h.text()).toBe('\r\nRecv 7 bytes\r\n\r\nSEND OK\r\n')
    const got = await peer.next()
    expect(got.data.toString()).toBe('abcdefg')
    expect(got.port).toBe(local)
    h.clear()
    await peer.send('test', local)
    await h.until('\r\n+IPD,4,4:test\r\n')
    expect(await h.command('AT+CIPCLOSE=4')).toBe('AT+CIPCLOSE=4\r\n4,CLOSED\r\n\r\nOK\r\n')
  })

  it('a per-datagram destination (AT+CIPSEND=4,"host",port) is for UDP only; mode 2 follows every sender', async () => {
    const first = track(await startUdpPeer())
    const second = track(await startUdpPeer())
    const local = await freePort()
    const h = await joined()
    await h.command(`AT+CIPSTART="UDP","127.0.0.1",${first.port},${local},2`)
    await h.command(`AT+CIPSEND=4,"127.0.0.1",${second.port}`, /\r\n>$/)
    h.write('test')
    await h.until('SEND OK\r\n')
    expect((await second.next()).data.toString()).toBe('test')
    expect(first.datagrams).toEqual([])
    await second.send('back', local)
    await h.until('\r\n+IPD,4:back\r\n')
    // Mode 2: the remote is now the last sender.
    expect(await h.command('AT+CIPSTATE?')).toContain(`+CIPSTATE:0,"UDP","127.0.0.1",${second.port},${local},0`)
    expect(await h.command('AT+CIPCLOSE')).toBe('AT+CIPCLOSE\r\nCLOSED\r\n\r\nOK\r\n')
  })
})

describe('passive receive (TCP-IP example 12, notes §3.9)', () => {
  it('notice \\r\\n+IPD,4\\r\\n, AT+CIPRECVLEN?, then +CIPRECVDATA:4,test with no CR LF before OK', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    expect(await h.command('AT+CIPRECVTYPE=1')).toBe('AT+CIPRECVTYPE=1\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPRECVTYPE?')).toBe('AT+CIPRECVTYPE?\r\n+CIPRECVTYPE:0,1,0\r\n\r\nOK\r\n')
    h.clear()
    peer.socket.write('test')
    await h.until('\r\n+IPD,4\r\n')
    expect(await h.command('AT+CIPRECVLEN?')).toBe('AT+CIPRECVLEN?\r\n+CIPRECVLEN:4\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPRECVDATA=4')).toBe('AT+CIPRECVDATA=4\r\n+CIPRECVDATA:4,test\r\nOK\r\n')
    h.clear()
    peer.socket.write('abcdef')
    await h.until('\r\n+IPD,6\r\n')
    // Bytes left after a read: a fresh notice after the OK.
    expect(await h.command('AT+CIPRECVDATA=2', /\r\n\+IPD,4\r\n$/)).toBe('AT+CIPRECVDATA=2\r\n+CIPRECVDATA:2,ab\r\nOK\r\n\r\n+IPD,4\r\n')
    expect(await h.command('AT+CIPRECVDATA=100')).toBe('AT+CIPRECVDATA=100\r\n+CIPRECVDATA:4,cdef\r\nOK\r\n')
    expect(await h.command('AT+CIPRECVDATA=4')).toBe(plainError('AT+CIPRECVDATA=4')) // no data
  })

  it('a peer that closes with unread data: CLOSED waits until the data are read', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    await h.command('AT+CIPRECVTYPE=1')
    h.clear()
    peer.socket.end('bye')
    await h.until('\r\n+IPD,3\r\n')
    await new Promise((r) => setTimeout(r, 50))
    expect(h.text()).not.toContain('CLOSED')
    expect(await h.command('AT+CIPRECVDATA=3', /CLOSED\r\n$/)).toBe('AT+CIPRECVDATA=3\r\n+CIPRECVDATA:3,bye\r\nOK\r\nCLOSED\r\n')
  })
})

function countOf(text: string, ch: string): number {
  let n = 0
  for (const c of text) if (c === ch) n++
  return n
}

/** Lets the event loop run for `ms`: for the `+++` guard times, which are about silence on the line. */
const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('passthrough (AT+CIPMODE=1, TCP-IP examples 9 to 11, notes §3.3, §3.13)', () => {
  it('raw both ways after the 9-byte prompt; +++ with 20 ms of silence around it ends it; the link stays', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    expect(await h.command('AT+CIPMODE=1')).toBe('AT+CIPMODE=1\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSEND', /\r\n>$/)).toBe('AT+CIPSEND\r\n\r\nOK\r\n\r\n>')
    h.clear()
    h.write('hello\r\n')
    h.write('AT\r\n') // data too: no echo, no answer
    expect((await peer.bytesUntil(11)).toString()).toBe('hello\r\nAT\r\n')
    peer.socket.write('world\r\n+IPD')
    await h.until('world\r\n+IPD')
    expect(h.text()).toBe('world\r\n+IPD') // no +IPD header, no trailing CR LF
    await quiet(30)
    h.clear()
    h.write('+++')
    await quiet(40)
    expect(h.text()).toBe('') // no reply without SYSMSG bit0
    expect(await h.command('AT+CIPMODE=0')).toBe('AT+CIPMODE=0\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPCLOSE')).toBe('AT+CIPCLOSE\r\nCLOSED\r\n\r\nOK\r\n')
    expect(peer.received().toString()).toBe('hello\r\nAT\r\n')
  })

  it('+++ without the guard times is data: right after other bytes, or followed by more within 20 ms', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    await h.command('AT+CIPMODE=1')
    await h.command('AT+CIPSEND', /\r\n>$/)
    h.write('a')
    h.write('+++') // no silence before it
    await quiet(30)
    h.write('+++')
    await quiet(5)
    h.write('b') // input within 20 ms after it
    expect((await peer.bytesUntil(8)).toString()).toBe('a++++++b')
    await quiet(30)
    h.clear()
    h.write('+++')
    await quiet(40)
    expect(await h.command('AT')).toBe('AT\r\n\r\nOK\r\n')
  })

  it('with SYSMSG bit0, leaving prints \\r\\n+QUITT\\r\\n; a peer close is silent unless bit2', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command('AT+SYSMSG=1')
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    await h.command('AT+CIPMODE=1')
    await h.command('AT+CIPSEND', /\r\n>$/)
    await quiet(30)
    h.clear()
    h.write('+++')
    await h.until('\r\n+QUITT\r\n')
    expect(h.text()).toBe('\r\n+QUITT\r\n')
    await h.command('AT+CIPSEND', /\r\n>$/)
    h.clear()
    peer.socket.destroy()
    await quiet(50)
    expect(h.text()).toBe('') // CLOSED is a status message: quiet in passthrough
  })

  it('passthrough data goes out in packets of 2920 bytes, and the rest after AT+TRANSINTVL of quiet', async () => {
    const server = track(await startTcpServer({ echo: false }))
    const h = await joined()
    await h.command(`AT+CIPSTART="TCP","127.0.0.1",${server.port}`)
    const peer = await server.nextConnection()
    expect(await h.command('AT+TRANSINTVL?')).toBe('AT+TRANSINTVL?\r\n+TRANSINTVL:20\r\n\r\nOK\r\n')
    await h.command('AT+CIPMODE=1')
    await h.command('AT+CIPSEND', /\r\n>$/)
    h.write(Buffer.alloc(3000, 0x41))
    expect((await peer.bytesUntil(2920)).length).toBeGreaterThanOrEqual(2920)
    expect((await peer.bytesUntil(3000)).length).toBe(3000)
  })

  it('CIPMODE=1 is refused with two links, and the length form of CIPSEND is refused in it', async () => {
    const server = track(await startTcpServer())
    const h = await joined()
    await h.command('AT+CIPMUX=1')
    await h.command(`AT+CIPSTART=0,"TCP","127.0.0.1",${server.port}`)
    await h.command(`AT+CIPSTART=1,"TCP","127.0.0.1",${server.port}`)
    expect(await h.command('AT+CIPMODE=1')).toBe(plainError('AT+CIPMODE=1'))
    await h.command('AT+CIPCLOSE=1')
    expect(await h.command('AT+CIPMODE=1')).toBe('AT+CIPMODE=1\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSEND=0,4')).toBe(plainError('AT+CIPSEND=0,4'))
    expect(await h.command('AT+CIPMUX=0')).toBe(plainError('AT+CIPMUX=0'))
  })
})

describe('SSL links (TCP-IP examples 5 to 8, notes §3.18)', () => {
  it('auth mode 0 connects to any TLS server; mode 2 checks its chain by the device clock, so only after SNTP', async () => {
    const server = track(await startTcpServer({ tls: { cert: pem(`${PROJECT_PKI}server.crt`), key: pem(`${PROJECT_PKI}server.key`) } }))
    const h = await joined()
    const start = `AT+CIPSTART="SSL","127.0.0.1",${server.port}`
    expect(await h.command(start)).toBe(`${start}\r\nCONNECT\r\n\r\nOK\r\n`)
    await h.command('AT+CIPSEND=4', /\r\n>$/)
    h.write('test')
    await h.until('\r\n+IPD,4:test\r\n')
    await h.command('AT+CIPCLOSE')
    expect(await h.command('AT+CIPSSLCCONF=2,0,0')).toBe('AT+CIPSSLCCONF=2,0,0\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPSSLCCONF?')).toBe('AT+CIPSSLCCONF?\r\n+CIPSSLCCONF:0,2,0,0\r\n\r\nOK\r\n')
    expect(await h.command(start)).toBe(plainError(start)) // 1970: the certificate is not yet valid
    await h.command('AT+CIPSNTPCFG=1,0')
    await h.until('+TIME_UPDATED')
    expect(await h.command(start)).toBe(`${start}\r\nCONNECT\r\n\r\nOK\r\n`)
  })

  it('mutual authentication: mode 3 presents the client certificate; the PKI must have the entries', async () => {
    const server = track(await startTcpServer({ tls: { cert: pem(`${PROJECT_PKI}server.crt`), key: pem(`${PROJECT_PKI}server.key`), clientCa: pem(`${PROJECT_PKI}ca.crt`) } }))
    const h = await joined()
    const start = `AT+CIPSTART="SSL","127.0.0.1",${server.port}`
    expect(await h.command(start)).toBe(plainError(start)) // no client certificate: the server refuses
    expect(await h.command('AT+CIPSSLCCONF=3,1,0')).toBe('AT+CIPSSLCCONF=3,1,0\r\nNO CERT FOUND\r\n\r\nERROR\r\n')
    expect(await h.command('AT+CIPSSLCCONF=2,0,1')).toBe('AT+CIPSSLCCONF=2,0,1\r\nNO CA FOUND\r\n\r\nERROR\r\n')
    await h.command('AT+CIPSSLCCONF=3,0,0')
    await h.command('AT+CIPSNTPCFG=1,8,"cn.ntp.org.cn","ntp.sjtu.edu.cn"')
    await h.until('+TIME_UPDATED')
    expect(await h.command(start)).toBe(`${start}\r\nCONNECT\r\n\r\nOK\r\n`)
  })

  it('the device as an SSL server presents its server certificate; with <CA enable> 1 a client needs one from its CA', async () => {
    const port = await freePort()
    const h = await joined()
    await h.command('AT+CIPMUX=1')
    expect(await h.command(`AT+CIPSERVER=1,${port},"SSL"`)).toBe(`AT+CIPSERVER=1,${port},"SSL"\r\n\r\nOK\r\n`)
    const client = await connectTcp(port, {})
    await h.until('0,CONNECT\r\n')
    client.socket.write('test')
    await h.until('\r\n+IPD,0,4:test\r\n')
    client.socket.destroy()
    await h.until('0,CLOSED\r\n')
    await h.command('AT+CIPSERVER=0')
    const secured = `AT+CIPSERVER=1,${port},"SSL",1`
    expect(await h.command(secured)).toBe(`${secured}\r\n\r\nOK\r\n`)
    h.clear()
    const anonymous = await connectTcp(port, {}).catch(() => undefined)
    await anonymous?.closed
    expect(h.text()).not.toContain('CONNECT')
    const trusted = await connectTcp(port, { cert: pem(`${PROJECT_PKI}client.crt`), key: pem(`${PROJECT_PKI}client.key`) })
    await h.until('0,CONNECT\r\n')
    trusted.socket.destroy()
    await h.until('0,CLOSED\r\n')
  })
})

describe('AT+CWLAP, AT+CIPDOMAIN, AT+CWSAP, AT+CIPAP', () => {
  it('AT+CWLAP lists the profile\'s access points, strongest first; AT+CWLAPOPT hides fields', async () => {
    const h = await boot({
      wifi: { scanTimeMs: 5 },
      accessPoints: [
        { ssid: 'weak', password: '', joinDelayMs: 10, ip: '10.0.0.2', gateway: '10.0.0.1', netmask: '255.255.255.0', bssid: 'aa:bb:cc:dd:ee:01', channel: 1, rssi: -80, dhcp: true, rejects: false, ecn: 0 },
        { ssid: 'espressif', password: '1234567890', joinDelayMs: 10, ip: '10.0.0.3', gateway: '10.0.0.1', netmask: '255.255.255.0', bssid: 'ca:d7:19:d8:a6:44', channel: 6, rssi: -45, dhcp: true, rejects: false, ecn: 3 },
      ],
    })
    expect(await h.command('AT+CWLAP')).toBe(
      'AT+CWLAP\r\n+CWLAP:(3,"espressif",-45,"ca:d7:19:d8:a6:44",6,-1,-1,4,4,7,0)\r\n+CWLAP:(0,"weak",-80,"aa:bb:cc:dd:ee:01",1,-1,-1,0,0,7,0)\r\n\r\nOK\r\n',
    )
    expect(await h.command('AT+CWLAP="weak"')).toBe('AT+CWLAP="weak"\r\n+CWLAP:(0,"weak",-80,"aa:bb:cc:dd:ee:01",1,-1,-1,0,0,7,0)\r\n\r\nOK\r\n')
    await h.command('AT+CWLAPOPT=,31,-60')
    expect(await h.command('AT+CWLAP')).toBe('AT+CWLAP\r\n+CWLAP:(3,"espressif",-45,"ca:d7:19:d8:a6:44",6)\r\n\r\nOK\r\n')
    await h.command('AT+CWMODE=2')
    await h.command('AT+SYSLOG=1')
    expect(await h.command('AT+CWLAP')).toBe('AT+CWLAP\r\nERR CODE:0x010a0000\r\n\r\nERROR\r\n')
  })

  it('AT+CIPDOMAIN resolves the profile\'s hosts and this computer\'s names; an unknown one is ERROR', async () => {
    const h = await joined({ network: { hosts: { 'broker.lan': '127.0.0.1' } } })
    expect(await h.command('AT+CIPDOMAIN="broker.lan"')).toBe('AT+CIPDOMAIN="broker.lan"\r\n+CIPDOMAIN:"127.0.0.1"\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPDOMAIN="localhost"')).toBe('AT+CIPDOMAIN="localhost"\r\n+CIPDOMAIN:"127.0.0.1"\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIPDOMAIN="nothing.invalid"', undefined, 10_000)).toBe(plainError('AT+CIPDOMAIN="nothing.invalid"'))
  })

  it('the SoftAP: AT+CWSAP in modes 2 and 3 only, AT+CIPAP? and AT+CIFSR show 192.168.4.1', async () => {
    const h = await boot()
    expect(await h.command('AT+CWSAP="ESP32_softAP","1234567890",5,3')).toBe(plainError('AT+CWSAP="ESP32_softAP","1234567890",5,3'))
    await h.command('AT+CWMODE=2')
    expect(await h.command('AT+CWSAP="ESP32_softAP","1234567890",5,3')).toBe('AT+CWSAP="ESP32_softAP","1234567890",5,3\r\n\r\nOK\r\n')
    expect(await h.command('AT+CWSAP?')).toBe('AT+CWSAP?\r\n+CWSAP:"ESP32_softAP","1234567890",5,3,10,0\r\n\r\nOK\r\n')
    expect(await h.command('AT+CWSAP="x","short",5,3')).toBe(plainError('AT+CWSAP="x","short",5,3'))
    expect(await h.command('AT+CIPAP?')).toBe('AT+CIPAP?\r\n+CIPAP:ip:"192.168.4.1"\r\n+CIPAP:gateway:"192.168.4.1"\r\n+CIPAP:netmask:"255.255.255.0"\r\n\r\nOK\r\n')
    expect(await h.command('AT+CIFSR')).toBe('AT+CIFSR\r\n+CIFSR:APIP,"192.168.4.1"\r\n+CIFSR:APMAC,"24:0a:c4:00:00:02"\r\n\r\nOK\r\n')
  })
})
