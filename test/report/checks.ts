import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv } from 'ajv'
import type { ValidateFunction } from 'ajv'
import { ROOT } from '../helpers/cli.ts'

/** The JUnit schema Jenkins' xUnit plugin validates against, kept next to the repository. */
export const JUNIT_XSD = join(ROOT, '../shared/reference/junit-10.xsd')

/** `xmllint --schema` on a file (Debian libxml2-utils): well-formed and valid, or its complaints. */
export function xmllint(file: string): { valid: boolean; output: string } {
  const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' })
  if (r.error) throw new Error(`xmllint is needed (apt-get install libxml2-utils): ${r.error.message}`)
  return { valid: r.status === 0, output: `${r.stdout}${r.stderr}` }
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
    // Data: quoted text pieces, then optionally a hex view.
    for (const l of r.lines) if (!/^".*"$/.test(l) && !/^[0-9a-f]{8} {2}/.test(l)) throw new Error(`not data: ${l}`)
  }
  return { header, records }
}
