import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { NotARegularFile, StreamFile } from '../../src/files/stream-file.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-stream-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('StreamFile writes regular files only', () => {
  it('creates a file, or truncates one that is there', async () => {
    writeFileSync(join(dir, 'old.txt'), 'old contents\n')
    const file = new StreamFile(join(dir, 'old.txt'))
    file.write('new\n')
    await file.close()
    expect(readFileSync(join(dir, 'old.txt'), 'utf8')).toBe('new\n')
  })

  it('a device, a FIFO (which would block the open until a reader came) or a directory: refused, saying what it is', () => {
    expect(() => new StreamFile('/dev/full')).toThrow(NotARegularFile)
    expect(() => new StreamFile('/dev/full')).toThrow('it is a character device, not a regular file')
    expect(() => new StreamFile('/dev/null')).toThrow('it is a character device, not a regular file')
    execFileSync('mkfifo', [join(dir, 'fifo')])
    expect(() => new StreamFile(join(dir, 'fifo'))).toThrow('it is a FIFO (named pipe), not a regular file')
    expect(() => new StreamFile(dir)).toThrow('it is a directory, not a regular file')
  })
})
