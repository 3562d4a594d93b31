import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ExchangeMode } from '../../src/protocol/exchange.ts'
import { Exchange } from '../../src/protocol/exchange.ts'
import type { Matcher } from '../../src/protocol/matchers.ts'
import { dataMatcher, lineMatcher } from '../../src/protocol/matchers.ts'
import type { ByteLink } from '../../src/protocol/session.ts'
import { AtSession } from '../../src/protocol/session.ts'
import { bin, byteByByte, randomCut, rng } from './helpers.ts'

/**
 * A link to a scripted device: each host write (as latin1 text) is answered with the scripted
 * bytes, delivered at once in the given chunking. Unscripted writes get no answer.
 */
class ScriptedLink implements ByteLink {
  readonly written: string[] = []
  private data: ((bytes: Uint8Array) => void) | undefined
  private close: ((error?: Error) => void) | undefined

  constructor(
    private readonly script: Record<string, string> = {},
    private readonly split: (bytes: Uint8Array) => Uint8Array[] = (b) => [b],
  ) {}

  async write(bytes: Uint8Array): Promise<void> {
    const text = Buffer.from(bytes).toString('latin1')
    this.written.push(text)
    const answer = this.script[text]
    if (answer !== undefined) this.device(answer)
  }

  onData(listener: (bytes: Uint8Array) => void): void {
    this.data = listener
  }

  onClose(listener: (error?: Error) => void): void {
    this.close = listener
  }

  device(text: string): void {
    for (const chunk of this.split(bin(text))) this.data?.(Uint8Array.from(chunk))
  }

  drop(error?: Error): void {
    this.close?.(error)
  }
}

const lines = (...texts: string[]): Matcher[] => texts.map((t) => lineMatcher(t))

async function step(session: AtSession, mode: ExchangeMode, matchers: Matcher[], write?: () => Promise<void>, timeoutMs = 60_000) {
  const startSeq = session.mark
  await write?.()
  const exchange = new Exchange({ mode, matchers, startSeq })
  const outcome = await session.run(exchange, timeoutMs)
  return { exchange, outcome }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('AtSession over a scripted device', () => {
  const script = {
    'AT+WSCFG=0,30,60,4096\r\n': 'AT+WSCFG=0,30,60,4096\r\n\r\nOK\r\n',
    'AT+WSOPEN=0,"ws://192.168.1.10:8765"\r\n': 'AT+WSOPEN=0,"ws://192.168.1.10:8765"\r\n+WS_CONNECTED:0\r\n\r\nOK\r\n',
    'AT+WSSEND=0,4\r\n': 'AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>',
    test: '\r\nSEND OK\r\n+WS_DATA:0,2,te\r\nWIFI GOT IP\r\n+WS_DATA:0,2,st\r\n',
    'AT+WSCLOSE=0\r\n': 'AT+WSCLOSE=0\r\n\r\nOK\r\n',
  }

  const splits: [string, (b: Uint8Array) => Uint8Array[]][] = [
    ['whole', (b) => [b]],
    ['byte by byte', byteByByte],
    ['random splits', (() => { const r = rng(7); return (b: Uint8Array) => randomCut(b, r) })()],
  ]

  it.each(splits)('the §11 conversation passes step by step (%s)', async (_name, split) => {
    const link = new ScriptedLink(script, split)
    const session = new AtSession(link, {}, () => 0)
    const cfg = await step(session, 'command', lines('OK'), () => session.sendCommand('AT+WSCFG=0,30,60,4096'))
    expect(cfg.exchange.status).toBe('passed')
    const open = await step(session, 'command', lines('+WS_CONNECTED:0', 'OK'), () => session.sendCommand('AT+WSOPEN=0,"ws://192.168.1.10:8765"'))
    expect(open.exchange.status).toBe('passed')
    const send = await step(session, 'command', lines('OK', '>'), () => session.sendCommand('AT+WSSEND=0,4'))
    expect(send.exchange.status).toBe('passed')
    const payload = await step(session, 'payload', lines('SEND OK'), () => session.write(bin('test')))
    expect(payload.outcome).toEqual({ kind: 'settled' })
    expect(payload.exchange.status).toBe('passed')
    // The echo of the server came during the payload step: a wait finds it in the inbox.
    const wait = await step(session, 'wait', [dataMatcher(bin('test'), { link: 0 }, 'data "test"')])
    expect(wait.exchange.status).toBe('passed')
    const close = await step(session, 'command', lines('OK'), () => session.sendCommand('AT+WSCLOSE=0'))
    expect(close.exchange.status).toBe('passed')
    expect(session.received(0).map((e) => e.text)).toEqual(['WIFI GOT IP'])
    expect(link.written).toEqual(Object.keys(script))
  })

  it('an ERROR ends the run at once, without waiting for the timeout', async () => {
    vi.useFakeTimers()
    const session = new AtSession(new ScriptedLink({ 'AT+FAKE\r\n': 'AT+FAKE\r\nERR CODE:0x01090000\r\n\r\nERROR\r\n' }), {}, () => 0)
    const { exchange, outcome } = await step(session, 'command', lines('OK'), () => session.sendCommand('AT+FAKE'))
    expect(outcome).toEqual({ kind: 'settled' })
    expect(exchange.failure).toMatchObject({ reason: 'unexpected-result', errCode: '0x01090000' })
  })

  it('no answer: the run times out', async () => {
    vi.useFakeTimers()
    const session = new AtSession(new ScriptedLink(), {}, () => 0)
    const startSeq = session.mark
    await session.sendCommand('AT')
    const exchange = new Exchange({ mode: 'command', matchers: lines('OK'), startSeq })
    const running = session.run(exchange, 5000)
    await vi.advanceTimersByTimeAsync(4999)
    let settled = false
    void running.then(() => (settled = true))
    await vi.advanceTimersByTimeAsync(0)
    expect(settled).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await running).toEqual({ kind: 'timeout' })
    expect(exchange.status).toBe('pending')
  })

  it('the link goes away mid-line: the partial line is delivered, then link-closed', async () => {
    const link = new ScriptedLink()
    const session = new AtSession(link, {}, () => 0)
    const exchange = new Exchange({ mode: 'wait', matchers: lines('WIFI GOT IP'), startSeq: session.mark })
    const running = session.run(exchange, 60_000)
    link.device('WIFI GOT')
    link.drop(new Error('unplugged'))
    expect(await running).toEqual({ kind: 'link-closed', error: new Error('unplugged') })
    expect(session.received(0).map((e) => e.text)).toEqual(['WIFI GOT'])
  })

  it('the last line before the link closes can still settle the step', async () => {
    const link = new ScriptedLink()
    const session = new AtSession(link, {}, () => 0)
    const exchange = new Exchange({ mode: 'wait', matchers: lines('WIFI GOT IP'), startSeq: session.mark })
    const running = session.run(exchange, 60_000)
    link.device('WIFI GOT IP')
    link.drop()
    expect(await running).toEqual({ kind: 'settled' })
    expect(exchange.status).toBe('passed')
  })

  it('an abort ends the run', async () => {
    const session = new AtSession(new ScriptedLink(), {}, () => 0)
    const controller = new AbortController()
    const exchange = new Exchange({ mode: 'wait', matchers: lines('ready'), startSeq: session.mark })
    const running = session.run(exchange, 60_000, controller.signal)
    controller.abort()
    expect(await running).toEqual({ kind: 'aborted' })
  })
})

describe('AtSession.run with the write inside', () => {
  it('a wait whose line came before the link closed still passes', async () => {
    const link = new ScriptedLink()
    const session = new AtSession(link)
    link.device('+WS_DATA:0,4,test\r\n')
    link.drop()
    const exchange = new Exchange({ mode: 'wait', matchers: lines('+WS_DATA:0,4,test'), startSeq: session.mark })
    expect(await session.run(exchange, 1000)).toEqual({ kind: 'settled' })
    expect(exchange.status).toBe('passed')
  })

  it('a payload step waits for its prompt first; its answer is only what comes after its bytes', async () => {
    const link = new ScriptedLink({ test: '\r\nSEND OK\r\n' })
    const session = new AtSession(link)
    const waiting = session.waitForPrompt(60_000)
    link.device('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>') // late: the step before has given up on it
    expect(await waiting).toEqual({ kind: 'settled' })
    const payload = new Exchange({ mode: 'payload', matchers: lines('SEND OK'), startSeq: session.mark })
    expect(await session.run(payload, 60_000, undefined, () => session.write(bin('test')))).toEqual({ kind: 'settled' })
    expect(payload.status).toBe('passed')
    expect(link.written).toEqual(['test'])
  })

  it('a prompt is never an answer to a payload', async () => {
    const link = new ScriptedLink({ test: '>\r\nSEND OK\r\n' })
    const session = new AtSession(link)
    const payload = new Exchange({ mode: 'payload', matchers: lines('SEND OK'), startSeq: session.mark })
    expect(await session.run(payload, 60_000, undefined, () => session.write(bin('test')))).toEqual({ kind: 'settled' })
    expect(payload.status).toBe('passed')
  })
})
