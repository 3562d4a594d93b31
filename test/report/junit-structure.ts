import { SaxesParser } from 'saxes'

/**
 * The project's own check of a JUnit file, which needs nothing outside the repository: well-formed
 * XML (saxes is a strict parser: it refuses the characters XML forbids, undefined entities, a
 * second root), the elements and attributes that Jenkins, GitLab and GitHub's report actions read,
 * and counts that agree with the test cases. It follows the content model of Jenkins'
 * junit-10.xsd, and is stricter where at-scenario's writer promises more: the counts and times
 * are always there, every failure and error has a type and a message, a test case has at most one
 * outcome, and elements the writer never emits (rerunFailure, flakyError...) are not accepted.
 */
export function junitProblems(xml: string): string[] {
  let root: XmlElement
  try {
    root = parseXml(xml)
  } catch (e) {
    return [`not well-formed XML: ${(e as Error).message}`]
  }
  const problems: string[] = []
  if (root.name === 'testsuites') checkTestsuites(root, problems)
  else if (root.name === 'testsuite') checkTestsuite(root, problems)
  else problems.push(`${label(root)}: the root element is neither <testsuites> nor <testsuite>`)
  return problems
}

export interface XmlElement {
  name: string
  attributes: Record<string, string>
  children: XmlElement[]
  /** Text and CDATA directly inside the element. */
  text: string
  line: number
}

/** A strict parse into elements; throws `line:column: what` on anything that is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true })
  const open: XmlElement[] = []
  let root: XmlElement | undefined
  let error: Error | undefined
  parser.on('error', (e) => {
    error ??= e
  })
  parser.on('opentag', (tag) => {
    const element: XmlElement = { name: tag.name, attributes: { ...tag.attributes }, children: [], text: '', line: parser.line }
    const parent = open.at(-1)
    if (parent) parent.children.push(element)
    else root ??= element
    open.push(element)
  })
  parser.on('closetag', () => {
    open.pop()
  })
  const addText = (text: string) => {
    const current = open.at(-1)
    if (current) current.text += text
  }
  parser.on('text', addText)
  parser.on('cdata', addText)
  parser.write(xml).close()
  if (error) throw error
  if (!root) throw new Error('no root element')
  return root
}

interface Shape {
  required: string[]
  optional: string[]
  children: string[]
  /** Whether text may stand between the children. */
  text: boolean
}

const SHAPES: Record<string, Shape> = {
  testsuites: { required: ['tests', 'failures', 'errors', 'time'], optional: ['name'], children: ['testsuite'], text: false },
  testsuite: {
    required: ['name', 'tests', 'failures', 'errors', 'skipped', 'time'],
    optional: ['group', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url'],
    children: ['testsuite', 'properties', 'testcase', 'system-out', 'system-err'],
    text: false,
  },
  properties: { required: [], optional: [], children: ['property'], text: false },
  property: { required: ['name', 'value'], optional: [], children: [], text: false },
  testcase: { required: ['name', 'classname', 'time'], optional: ['group'], children: ['failure', 'error', 'skipped', 'system-out', 'system-err'], text: false },
  failure: { required: ['type', 'message'], optional: [], children: [], text: true },
  error: { required: ['type', 'message'], optional: [], children: [], text: true },
  skipped: { required: [], optional: ['type', 'message'], children: [], text: true },
  'system-out': { required: [], optional: [], children: [], text: true },
  'system-err': { required: [], optional: [], children: [], text: true },
}

/** Attributes that must not be empty: a nameless suite or case, an untyped failure, mean nothing to a reader. */
const NON_EMPTY = new Set(['name', 'classname', 'type'])
const COUNTS = ['tests', 'failures', 'errors', 'skipped'] as const
const OUTCOMES = ['failure', 'error', 'skipped'] as const

function label(e: XmlElement): string {
  const name = e.attributes.name !== undefined && e.name !== 'property' ? ` name=${JSON.stringify(e.attributes.name)}` : ''
  return `line ${e.line}: <${e.name}${name}>`
}

/** The element's own attributes, text and children against its shape, then each child's. */
function checkShape(e: XmlElement, problems: string[]): void {
  const shape = SHAPES[e.name]!
  for (const a of shape.required) if (e.attributes[a] === undefined) problems.push(`${label(e)}: the attribute ${a} is missing`)
  for (const [a, value] of Object.entries(e.attributes)) {
    if (!shape.required.includes(a) && !shape.optional.includes(a)) problems.push(`${label(e)}: unexpected attribute ${a}`)
    else if (NON_EMPTY.has(a) && value.trim() === '') problems.push(`${label(e)}: the attribute ${a} is empty`)
  }
  if (!shape.text && e.text.trim() !== '') problems.push(`${label(e)}: text where only elements belong: ${JSON.stringify(e.text.trim().slice(0, 40))}`)
  for (const child of e.children) {
    if (!shape.children.includes(child.name)) problems.push(`${label(child)}: not allowed inside <${e.name}>`)
    else if (child.name === 'testsuite') checkTestsuite(child, problems)
    else if (child.name === 'testcase') checkTestcase(child, problems)
    else checkShape(child, problems)
  }
}

function checkNumbers(e: XmlElement, problems: string[]): void {
  for (const a of COUNTS) {
    const value = e.attributes[a]
    if (value !== undefined && !/^\d+$/.test(value)) problems.push(`${label(e)}: ${a}="${value}" is not a count`)
  }
  const time = e.attributes.time
  if (time !== undefined && !/^\d+(\.\d+)?$/.test(time)) problems.push(`${label(e)}: time="${time}" is not a number of seconds`)
}

/** What the test cases at or below `e` add up to. */
function tally(e: XmlElement): Record<(typeof COUNTS)[number], number> {
  const sum = { tests: 0, failures: 0, errors: 0, skipped: 0 }
  for (const child of e.children) {
    if (child.name === 'testsuite') {
      const inner = tally(child)
      for (const k of COUNTS) sum[k] += inner[k]
    } else if (child.name === 'testcase') {
      sum.tests++
      if (child.children.some((c) => c.name === 'failure')) sum.failures++
      if (child.children.some((c) => c.name === 'error')) sum.errors++
      if (child.children.some((c) => c.name === 'skipped')) sum.skipped++
    }
  }
  return sum
}

function checkCounts(e: XmlElement, problems: string[]): void {
  const actual = tally(e)
  for (const k of COUNTS) {
    const declared = e.attributes[k]
    if (declared === undefined || !/^\d+$/.test(declared)) continue
    if (Number(declared) !== actual[k]) problems.push(`${label(e)}: ${k}="${declared}" but the test cases in it add up to ${actual[k]}`)
  }
}

function checkTestsuites(e: XmlElement, problems: string[]): void {
  checkShape(e, problems)
  checkNumbers(e, problems)
  checkCounts(e, problems)
}

function checkTestsuite(e: XmlElement, problems: string[]): void {
  checkShape(e, problems)
  checkNumbers(e, problems)
  checkCounts(e, problems)
  const timestamp = e.attributes.timestamp
  if (timestamp !== undefined && !(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(timestamp) && !Number.isNaN(Date.parse(timestamp)))) {
    problems.push(`${label(e)}: timestamp="${timestamp}" is not an ISO 8601 date and time`)
  }
  if (e.children.filter((c) => c.name === 'properties').length > 1) problems.push(`${label(e)}: more than one <properties>`)
}

function checkTestcase(e: XmlElement, problems: string[]): void {
  checkShape(e, problems)
  checkNumbers(e, problems)
  const outcomes = e.children.filter((c) => (OUTCOMES as readonly string[]).includes(c.name))
  if (outcomes.length > 1) problems.push(`${label(e)}: more than one outcome (${outcomes.map((c) => `<${c.name}>`).join(', ')})`)
}
