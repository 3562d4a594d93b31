import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import { afterAll, expect } from 'vitest'
import { ROOT } from '../helpers/cli.ts'
import { itWith, junitXsd } from '../helpers/external-material.ts'
import { junitProblems } from './junit-structure.ts'

/**
 * `xmllint --schema` with Jenkins' JUnit XSD (Debian libxml2-utils): well-formed and valid, or its
 * complaints. The XSD is external material: call this from `itWith('junit-xsd', ...)`.
 */
export function xmllint(file: string): { valid: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', junitXsd(), file], { encoding: 'utf8' })
  if (r.error) throw new Error(`xmllint is needed (apt-get install libxml2-utils): ${r.error.message}`)
  return { valid: r.status === 0, output: `${r.stdout}${r.stderr}` }
}

/**
 * The JUnit files a test file's runs write: each is checked at once by the project's structural
 * check, and kept (copied) for one test at the end of the file that validates them all against the
 * Jenkins XSD, a test that is skipped, visibly, where the XSD is absent.
 */
export function junitFiles(): { check(file: string): string; declareXsdTest(): void } {
  const kept: { copy: string; writtenBy: string }[] = []
  let dir: string | undefined
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })
  return {
    check(file) {
      const xml = readFileSync(file, 'utf8')
      expect(junitProblems(xml), file).toEqual([])
      dir ??= mkdtempSync(join(tmpdir(), 'at-scenario-junit-kept-'))
      const copy = join(dir, `${kept.length}.xml`)
      copyFileSync(file, copy)
      kept.push({ copy, writtenBy: expect.getState().currentTestName ?? file })
      return xml
    },
    declareXsdTest() {
      itWith('junit-xsd', 'every JUnit file the tests above wrote is valid against the Jenkins XSD', () => {
        expect(kept.length, 'no JUnit file was written: this test checks the files of the tests above it, run them too').toBeGreaterThan(0)
        for (const { copy, writtenBy } of kept) {
          const lint = xmllint(copy)
          expect(lint.valid, `the JUnit file of "${writtenBy}":\n${lint.output}`).toBe(true)
        }
      })
    },
  }
}

let validate: ValidateFunction | undefined

/** Validates a results.json document against schema/result.schema.json. */
export function checkResultJson(data: unknown): { valid: boolean; errors: string } {
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: true })
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/result.schema.json'), 'utf8')) as object)
  }
  const valid = validate(data)
  return { valid, errors: JSON.stringify(validate.errors ?? [], null, 2) }
}

export interface TranscriptRecord {
  at: number
  kind: '->' | '<-' | '=='
  /** The first line's text after the arrow, and any continuation lines (more data, hex view, output). */
  lines: string[]
}

/**
 * Parses a transcript as its format promises: `#` header lines, then records of a time column, an
 * arrow (`->`, `<-`) or `==`, and text, each possibly followed by indented continuation lines.
 * Throws on anything else, so that a test can say the file is well-formed.
 */
export function parseTranscript(text: string): { header: string[]; records: TranscriptRecord[] } {
  const header: string[] = []
  const records: TranscriptRecord[] = []
  const lines = text.split('\n')
  if (lines.pop() !== '') throw new Error('a transcript ends with a line feed')
  for (const [i, line] of lines.entries()) {
    const record = /^ *(\d+\.\d{3}) {2}(->|<-|==) {2}(.*)$/.exec(line)
    if (line.startsWith('#') && records.length === 0) header.push(line)
    else if (record) records.push({ at: Number(record[1]), kind: record[2] as TranscriptRecord['kind'], lines: [record[3]!] })
    else if (/^ {16}\S/.test(line) && records.length > 0) records.at(-1)!.lines.push(line.slice(16))
    else throw new Error(`line ${i + 1} of the transcript is not in its format: ${JSON.stringify(line)}`)
  }
  for (const r of records) {
    if (r.kind === '==') continue
    // Data: quoted text pieces, then optionally a hex view; or the one-line summary of a long chunk.
    if (r.lines.length === 1 && /^\d+ bytes, sha256 [0-9a-f]{64}: ".*" … ".*"$/.test(r.lines[0]!)) continue
    for (const l of r.lines) if (!/^".*"$/.test(l) && !/^[0-9a-f]{8} {2}/.test(l)) throw new Error(`not data: ${l}`)
  }
  return { header, records }
}
