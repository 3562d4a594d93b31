import { createInterface } from 'node:readline'
import type { Interface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { OpenLink } from '../link/stream-link.ts'
import { Framer } from '../protocol/framer.ts'
import type { FrameRecord } from '../protocol/framer.ts'
import { terminalText } from '../bytes/terminal-text.ts'
import { MASK_TEXT } from '../bytes/segments.ts'
import type { RecordEntry } from '../replay/atrec-format.ts'
import { announcedLength, parseAtCommand } from './at-params.ts'
import type { TrafficEvent } from './traffic-steps.ts'

/** What a session was: the traffic for its scenario, and every chunk with its time for its recording. */
export interface SessionLog {
  traffic: TrafficEvent[]
  entries: RecordEntry[]
  /** Wi-Fi passwords typed (AT+CWJAP's second parameter): never shown, never written. */
  secrets: string[]
  /** How it ended. */
  end: 'ctrl-c' | 'ctrl-d' | 'link-closed'
}

export interface TerminalIo {
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  output: Writable
}

const PROMPT = 'AT» '
const CTRL_C = 0x03
const CTRL_D = 0x04
const QUIET_MS = 300

/**
 * A serial terminal on the device, as the doc asks a person to use one: a line editor (Node's
 * readline: history with the arrow keys, editing) whose lines go to the device with CR LF; the
 * device's output shown line by line, escaped (a device cannot drive this terminal); and after
 * the device's `>` prompt, raw bytes: every key typed goes to the device as it is, until the length
 * the command announced (AT+CIPSEND=4, AT+WSSEND=0,4...) is reached; for a command whose length is
 * not known, what is typed up to Enter, without the line ending. Ctrl-C or Ctrl-D ends it.
 */
export function runTerminalSession(link: OpenLink, io: TerminalIo): Promise<SessionLog> {
  return new Promise((resolve) => {
    const started = performance.now()
    const now = () => Math.round((performance.now() - started) * 1000) / 1000
    const traffic: TrafficEvent[] = []
    const entries: RecordEntry[] = []
    const secrets: string[] = []
    const history: string[] = []
    const framer = new Framer()
    let rl: Interface | undefined
    let lastCommand = ''
    let commands = 0
    let payload: { remaining: number | undefined; bytes: number[] } | undefined
    let finished = false

    const show = (text: string) => {
      let shown = terminalText(text)
      for (const s of secrets) shown = shown.split(s).join(MASK_TEXT)
      io.output.write(`\r\x1b[K${shown}\n`)
      if (rl && !payload) rl.prompt(true)
    }
    const showRecord = (r: FrameRecord) => {
      if (r.kind === 'line' || r.kind === 'echo') show(r.text)
      else if (r.kind === 'data') show(`${r.header?.text ?? ''}${Buffer.from(r.bytes).toString('utf8')}`)
      else startPayload()
    }
    const write = (bytes: Buffer) => {
      entries.push({ kind: 'data', dir: 'tx', at: now(), segments: [{ bytes }] })
      void link.write(bytes).catch(() => finish('link-closed'))
    }

    link.onData((chunk) => {
      const bytes = Buffer.from(chunk)
      entries.push({ kind: 'data', dir: 'rx', at: now(), segments: [{ bytes }] })
      traffic.push({ kind: 'device', bytes })
      for (const r of framer.push(bytes)) showRecord(r)
    })
    link.onClose(() => finish('link-closed'))

    const onLine = (line: string) => {
      const text = line.trim()
      if (text === '') return rl?.prompt()
      commands++
      history.unshift(text)
      lastCommand = text
      const command = parseAtCommand(text)
      const password = command?.name === 'AT+CWJAP' ? command.params[1] : undefined
      if (password?.quoted && password.value !== '' && !secrets.includes(password.value)) secrets.push(password.value)
      framer.expectEcho(text)
      traffic.push({ kind: 'command', text, where: `command ${commands}` })
      write(Buffer.from(`${text}\r\n`))
    }

    const openEditor = () => {
      rl = createInterface({ input: io.input, output: io.output, prompt: PROMPT, history: [...history], historySize: 1000, terminal: io.input.isTTY === true })
      rl.on('line', onLine)
      rl.on('SIGINT', () => finish('ctrl-c'))
      rl.on('close', () => {
        if (rl) finish('ctrl-d') // closed by the user (Ctrl-D, end of input), not by startPayload
      })
      rl.prompt()
    }

    const onRaw = (chunk: Buffer) => {
      if (!payload) return
      for (const b of chunk) {
        if (b === CTRL_C || (b === CTRL_D && payload.bytes.length === 0)) return finish(b === CTRL_C ? 'ctrl-c' : 'ctrl-d')
        if (payload.remaining === undefined && (b === 0x0d || b === 0x0a)) {
          if (payload.bytes.length > 0) write(Buffer.from(payload.bytes))
          return endPayload()
        }
        payload.bytes.push(b)
        if (payload.remaining !== undefined) {
          write(Buffer.from([b]))
          if (--payload.remaining === 0) return endPayload()
        }
      }
      io.output.write(terminalText(chunk.toString('latin1')))
    }

    const startPayload = () => {
      if (payload || finished) return
      const length = announcedLength(lastCommand)
      payload = { remaining: length, bytes: [] }
      const closing = rl
      rl = undefined
      closing?.close()
      io.input.setRawMode?.(true)
      io.input.on('data', onRaw)
      io.input.resume()
      io.output.write(`\r\x1b[K> ${length !== undefined ? `(type ${length} ${length === 1 ? 'byte' : 'bytes'}, sent as typed)` : '(type the payload, Enter to send it)'} `)
    }

    const endPayload = () => {
      const bytes = Buffer.from(payload!.bytes)
      payload = undefined
      io.input.off('data', onRaw)
      io.output.write(`${terminalText(bytes.toString('latin1'))}\n`)
      traffic.push({ kind: 'payload', bytes, where: `the payload after command ${commands}` })
      framer.clearEcho()
      openEditor()
    }

    const finish = (end: SessionLog['end']) => {
      if (finished) return
      finished = true
      const closing = rl
      rl = undefined
      closing?.close()
      io.input.off('data', onRaw)
      io.input.setRawMode?.(false)
      io.input.pause()
      io.output.write('\n')
      // What the device still says after the last key belongs to the session too.
      setTimeout(() => {
        for (const r of framer.end()) showRecord(r)
        resolve({ traffic, entries, secrets, end })
      }, end === 'link-closed' ? 0 : QUIET_MS)
    }

    io.output.write('Type AT commands; after the > prompt, the payload. Ctrl-C or Ctrl-D ends the session and writes the scenario.\n')
    openEditor()
  })
}
