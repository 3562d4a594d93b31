import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { FILE_LIMITS, formatSize, readLimited, readLimitedText } from '../../src/source/read-limited.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-read-limited-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('readLimited: regular files of bounded size only', () => {
  it('a regular file, whole', () => {
    writeFileSync(join(dir, 'ok.yaml'), 'name: x\n')
    expect(readLimitedText(join(dir, 'ok.yaml'), 'scenario')).toEqual({ ok: true, text: 'name: x\n' })
  })

  it('exactly at the limit is read; one byte more is refused, saying the limit and what it is for', () => {
    const limit = FILE_LIMITS.scenario.bytes
    writeFileSync(join(dir, 'at-limit.yaml'), Buffer.alloc(limit, 0x61))
    const at = readLimited(join(dir, 'at-limit.yaml'), 'scenario')
    expect(at.ok && at.bytes.length).toBe(limit)
    writeFileSync(join(dir, 'over.yaml'), Buffer.alloc(limit + 1, 0x61))
    expect(readLimited(join(dir, 'over.yaml'), 'scenario')).toEqual({
      ok: false,
      why: 'it is larger than 1 MiB, the most a scenario, an included file, a device profile or an --env-file may hold',
    })
  })

  it('a file that says it is empty (/proc) is read up to the limit', () => {
    const read = readLimitedText('/proc/self/status', 'scenario')
    expect(read.ok && read.text).toMatch(/^Name:/)
  })

  it('devices, FIFOs and directories are refused without being read', () => {
    expect(readLimited('/dev/zero', 'payload')).toEqual({ ok: false, why: 'it is a character device, not a regular file (only regular files are read)' })
    execFileSync('mkfifo', [join(dir, 'fifo')])
    // No writer will ever come: a blocking open or read would hang this test.
    expect(readLimited(join(dir, 'fifo'), 'scenario')).toEqual({ ok: false, why: 'it is a FIFO (named pipe), not a regular file (only regular files are read)' })
    expect(readLimited(dir, 'scenario')).toEqual({ ok: false, why: 'it is a directory, not a regular file (only regular files are read)' })
    expect(readLimited(join(dir, 'missing.yaml'), 'scenario')).toEqual({ ok: false, why: 'no such file' })
  })

  it('sizes for people', () => {
    expect([formatSize(1024 * 1024), formatSize(16 * 1024 * 1024), formatSize(512 * 1024), formatSize(1000)]).toEqual(['1 MiB', '16 MiB', '512 KiB', '1000 bytes'])
  })
})
