import { Framer } from '../dist/protocol/framer.js'
import { rng } from './stats.ts'

export interface ThroughputResult {
  bytes: number
  chunks: number
  framerMBps: number
  baselineMBps: number
  ratio: number
  records: number
}

const MiB = 1024 * 1024

/**
 * 16 MiB of what a device says: results, URCs, information lines, and binary data with CR LF inside
 * in every length-framed record (+IPD in its forms, +CIPRECVDATA, +MQTTSUBRECV, +HTTPCLIENT, +WS_DATA).
 */
export function deviceOutput(size: number, seed = 1): Buffer {
  const random = rng(seed)
  const parts: Buffer[] = []
  let total = 0
  const lines = ['\r\nOK\r\n', '+WS_CONNECTED:0\r\n', 'WIFI GOT IP\r\n', '\r\nSEND OK\r\n', '+CIPSNTPTIME:Wed Nov 13 17:00:15 2024\r\nOK\r\n', '+CWJAP:"espressif","ca:d7:19:d8:a6:44",6,-45,0,1,3,0,1\r\n']
  while (total < size) {
    let part: Buffer
    if (random() < 0.5) {
      part = Buffer.from(lines[Math.floor(random() * lines.length)]!)
    } else {
      const n = 1 + Math.floor(random() * 1024)
      const payload = Buffer.alloc(n)
      for (let i = 0; i < n; i++) payload[i] = random() < 0.05 ? (random() < 0.5 ? 0x0d : 0x0a) : Math.floor(random() * 256)
      const link = Math.floor(random() * 3)
      const headers = [
        `+WS_DATA:${link},${n},`,
        `\r\n+IPD,${n}:`,
        `\r\n+IPD,${link},${n}:`,
        `\r\n+IPD,${link},${n},"192.168.3.102",8080:`,
        `+CIPRECVDATA:${n},`,
        `+MQTTSUBRECV:0,"sensors/room,${link}",${n},`,
        `+HTTPCLIENT:${n},`,
      ]
      part = Buffer.concat([Buffer.from(headers[Math.floor(random() * headers.length)]!), payload, Buffer.from('\r\n')])
    }
    parts.push(part)
    total += part.length
  }
  return Buffer.concat(parts)
}

/** Random chunk sizes between 1 byte and 4 KiB, as serial reads come. */
export function chunked(bytes: Buffer, seed = 2): Buffer[] {
  const random = rng(seed)
  const out: Buffer[] = []
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(random() * 4096)
    out.push(bytes.subarray(i, i + n))
    i += n
  }
  return out
}

/** The baseline: only split on CR LF with indexOf, keeping the remainder between chunks. */
function splitOnly(chunks: Buffer[]): number {
  let rest: Buffer = Buffer.alloc(0)
  let lines = 0
  for (const chunk of chunks) {
    const buf = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk
    let start = 0
    for (let i = buf.indexOf('\r\n', start); i >= 0; i = buf.indexOf('\r\n', start)) {
      lines++
      start = i + 2
    }
    rest = buf.subarray(start)
  }
  return lines
}

function frameAll(chunks: Buffer[]): number {
  const framer = new Framer()
  let records = 0
  for (const chunk of chunks) records += framer.push(chunk).length
  return records + framer.end().length
}

function bestOf(runs: number, f: () => number): { ms: number; result: number } {
  let best = Infinity
  let result = 0
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    result = f()
    best = Math.min(best, performance.now() - t)
  }
  return { ms: best, result }
}

export function framerThroughput(size = 16 * MiB, runs = 9): ThroughputResult {
  const bytes = deviceOutput(size)
  const chunks = chunked(bytes)
  // Warm both up so that neither pays the JIT's first compile in the measurement.
  frameAll(chunks.slice(0, 2000))
  splitOnly(chunks.slice(0, 2000))
  // Alternating, so that a slow moment of the machine falls on both.
  let framer = { ms: Infinity, result: 0 }
  let baseline = { ms: Infinity, result: 0 }
  for (let i = 0; i < runs; i++) {
    const f = bestOf(1, () => frameAll(chunks))
    const b = bestOf(1, () => splitOnly(chunks))
    if (f.ms < framer.ms) framer = f
    if (b.ms < baseline.ms) baseline = b
  }
  const mbps = (t: number) => bytes.length / MiB / (t / 1000)
  return {
    bytes: bytes.length,
    chunks: chunks.length,
    framerMBps: mbps(framer.ms),
    baselineMBps: mbps(baseline.ms),
    ratio: baseline.ms / framer.ms,
    records: framer.result,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = framerThroughput()
  console.log(`framer ${r.framerMBps.toFixed(1)} MB/s, split-only baseline ${r.baselineMBps.toFixed(1)} MB/s: framer at ${(r.ratio * 100).toFixed(0)}% of the baseline (${r.records} records, ${r.chunks} chunks)`)
}
