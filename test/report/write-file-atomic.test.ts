import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../src/report/report-files.ts'

const dir = mkdtempSync(join(tmpdir(), 'at-scenario-atomic-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const MODULE = pathToFileURL(new URL('../../src/report/report-files.ts', import.meta.url).pathname).href

/** Another process that writes `text` to `path` `times` times, as a second run into the same --output-dir would. */
function writer(path: string, text: string, times: number): Promise<{ code: number | null; stderr: string }> {
  const script = join(dir, `writer-${text[0]}.ts`)
  writeFileSync(
    script,
    `import { writeFileAtomic } from ${JSON.stringify(MODULE)}\n` +
      `const text = ${JSON.stringify(text[0])}.repeat(${text.length})\n` +
      `for (let i = 0; i < ${times}; i++) writeFileAtomic(${JSON.stringify(path)}, text)\n`,
  )
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('writeFileAtomic', () => {
  it('two processes writing one file in one folder both succeed, and the file is one of their texts, whole', async () => {
    const out = join(dir, 'shared')
    mkdirSync(out)
    const path = join(out, 'results.json')
    const a = 'a'.repeat(200_000)
    const b = 'b'.repeat(300_000)
    const runs = await Promise.all([writer(path, a, 300), writer(path, b, 300)])
    expect(runs).toEqual([
      { code: 0, stderr: '' },
      { code: 0, stderr: '' },
    ])
    expect([a, b]).toContain(readFileSync(path, 'utf8'))
    expect(readdirSync(out)).toEqual(['results.json']) // no temporary file left behind
  })

  it('a write that fails leaves no temporary file and the old file as it was', () => {
    const out = join(dir, 'failing')
    mkdirSync(join(out, 'junit.xml'), { recursive: true }) // a folder where the file should go: the rename fails
    expect(() => writeFileAtomic(join(out, 'junit.xml'), 'text')).toThrow()
    expect(readdirSync(out)).toEqual(['junit.xml'])

    const ok = join(out, 'results.json')
    writeFileAtomic(ok, 'complete')
    expect(() => writeFileAtomic(join(out, 'no-such-folder', 'results.json'), 'text')).toThrow(/ENOENT/)
    expect(readFileSync(ok, 'utf8')).toBe('complete')
    expect(readdirSync(out).sort()).toEqual(['junit.xml', 'results.json'])
  })
})
