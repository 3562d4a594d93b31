import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { itWith } from '../helpers/external-material.ts'
import { xmllint } from './checks.ts'
import { junitProblems } from './junit-structure.ts'

/** A document in the shape at-scenario writes: one suite with a property, a pass, a failure, an error and a skip. */
const VALID = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="at-scenario" tests="4" failures="1" errors="1" time="1.234">
  <testsuite name="Demo" tests="4" failures="1" errors="1" skipped="1" time="0.251" timestamp="2026-01-02T03:04:05.678Z" file="scenarios/demo.yaml">
    <properties>
      <property name="port" value="the built-in ESP-AT simulator"/>
    </properties>
    <testcase name="Set Wi-Fi mode to station" classname="scenarios/demo.yaml" time="0.003"/>
    <testcase name="Set an impossible mode" classname="scenarios/demo.yaml" time="0.002">
      <failure type="unexpected-result" message="the device answered \`ERROR\`">error: step &quot;Set an impossible mode&quot; failed</failure>
    </testcase>
    <testcase name="Receive 4 bytes" classname="scenarios/demo.yaml" time="0.300">
      <error type="timeout" message="timed out after 300 ms">timed out</error>
      <system-out>garbage \\x01 ok</system-out>
    </testcase>
    <testcase name="Never reached" classname="scenarios/demo.yaml" time="0.000">
      <skipped message="an earlier step failed"/>
    </testcase>
  </testsuite>
</testsuites>
`

/** VALID with one piece replaced; throws if the piece is not there, so that no case tests the unchanged document. */
function broken(from: string | RegExp, to: string): string {
  const xml = VALID.replace(from, to)
  if (xml === VALID) throw new Error(`${String(from)} is not in the document`)
  return xml
}

/** Each way a JUnit file can be broken, the document, and what the check must say (a part of the problem). */
const BROKEN: { what: string; xml: string; problem: string; xsdRejects: boolean }[] = [
  { what: 'an unclosed element', xml: broken('</testsuite>', ''), problem: 'not well-formed XML: ', xsdRejects: true },
  { what: 'a control character XML forbids', xml: broken('garbage \\x01 ok', 'garbage \u0001 ok'), problem: 'not well-formed XML: 13:', xsdRejects: true },
  { what: 'an unescaped &', xml: broken('the device answered `ERROR`', 'the device answered `ERROR` & more'), problem: 'not well-formed XML: ', xsdRejects: true },
  { what: 'an undefined entity', xml: broken('timed out</error>', 'timed &out;</error>'), problem: 'not well-formed XML: ', xsdRejects: true },
  { what: 'a second root element', xml: `${VALID}<testsuites/>\n`, problem: 'not well-formed XML: ', xsdRejects: true },
  { what: 'another root element', xml: broken(/testsuites/g, 'results'), problem: 'line 2: <results name="at-scenario">: the root element is neither', xsdRejects: true },
  { what: 'a testsuite without its name', xml: broken('testsuite name="Demo" ', 'testsuite '), problem: 'line 3: <testsuite>: the attribute name is missing', xsdRejects: true },
  { what: 'a testsuite without skipped', xml: broken(' skipped="1"', ''), problem: 'line 3: <testsuite name="Demo">: the attribute skipped is missing', xsdRejects: false },
  { what: 'a testsuite without time', xml: broken(' time="0.251"', ''), problem: 'the attribute time is missing', xsdRejects: false },
  { what: 'a testcase without classname', xml: broken('<testcase name="Never reached" classname="scenarios/demo.yaml"', '<testcase name="Never reached"'), problem: 'line 15: <testcase name="Never reached">: the attribute classname is missing', xsdRejects: false },
  { what: 'a testcase with an empty name', xml: broken('name="Never reached"', 'name=""'), problem: 'line 15: <testcase name="">: the attribute name is empty', xsdRejects: false },
  { what: 'a failure without type', xml: broken('failure type="unexpected-result" ', 'failure '), problem: 'line 9: <failure>: the attribute type is missing', xsdRejects: false },
  { what: 'an error without message', xml: broken(' message="timed out after 300 ms"', ''), problem: 'line 12: <error>: the attribute message is missing', xsdRejects: false },
  { what: 'a property without value', xml: broken(' value="the built-in ESP-AT simulator"', ''), problem: 'line 5: <property>: the attribute value is missing', xsdRejects: true },
  { what: 'text inside <properties>', xml: broken('<properties>', '<properties>port: simulator'), problem: 'line 4: <properties>: text where only elements belong', xsdRejects: true },
  { what: 'a testcase outside a testsuite', xml: broken('<testsuite ', '<testcase name="x" classname="x" time="0"/><testsuite '), problem: 'line 3: <testcase name="x">: not allowed inside <testsuites>', xsdRejects: true },
  { what: 'an element JUnit does not have', xml: broken('<system-out>', '<stdout/><system-out>'), problem: 'line 13: <stdout>: not allowed inside <testcase>', xsdRejects: true },
  { what: 'an attribute JUnit does not have', xml: broken('time="0.003"', 'time="0.003" status="passed"'), problem: 'line 7: <testcase name="Set Wi-Fi mode to station">: unexpected attribute status', xsdRejects: true },
  { what: 'a time that is not a number', xml: broken('time="0.300"', 'time="300 ms"'), problem: 'time="300 ms" is not a number of seconds', xsdRejects: false },
  { what: 'a count that is not a number', xml: broken('errors="1" skipped', 'errors="one" skipped'), problem: 'errors="one" is not a count', xsdRejects: false },
  { what: 'a testsuite whose tests count disagrees', xml: broken('tests="4" failures="1" errors="1" skipped', 'tests="5" failures="1" errors="1" skipped'), problem: 'line 3: <testsuite name="Demo">: tests="5" but the test cases in it add up to 4', xsdRejects: false },
  { what: 'a testsuite whose failures count disagrees', xml: broken('failures="1" errors="1" skipped', 'failures="0" errors="1" skipped'), problem: 'failures="0" but the test cases in it add up to 1', xsdRejects: false },
  { what: 'a testsuite whose skipped count disagrees', xml: broken('skipped="1"', 'skipped="0"'), problem: 'skipped="0" but the test cases in it add up to 1', xsdRejects: false },
  { what: 'totals that disagree with the suites', xml: broken('tests="4" failures="1" errors="1" time="1.234"', 'tests="4" failures="1" errors="2" time="1.234"'), problem: 'line 2: <testsuites name="at-scenario">: errors="2" but the test cases in it add up to 1', xsdRejects: false },
  { what: 'a testcase with two outcomes', xml: broken('<system-out>', '<skipped/><system-out>').replace('skipped="1"', 'skipped="2"'), problem: 'more than one outcome (<error>, <skipped>)', xsdRejects: false },
  { what: 'a timestamp that is not a date', xml: broken('2026-01-02T03:04:05.678Z', 'yesterday'), problem: 'timestamp="yesterday" is not an ISO 8601 date and time', xsdRejects: false },
]

describe('junitProblems: the project\'s own JUnit check', () => {
  it('finds nothing wrong in a document in the shape at-scenario writes, nor in an empty run or a lone testsuite', () => {
    expect(junitProblems(VALID)).toEqual([])
    expect(junitProblems('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="at-scenario" tests="0" failures="0" errors="0" time="0.000"/>\n')).toEqual([])
    expect(junitProblems('<testsuite name="Lone" tests="1" failures="0" errors="0" skipped="0" time="0.1"><testcase name="a" classname="b" time="0.1"/></testsuite>')).toEqual([])
  })

  it('counts the test cases of nested suites in the outer ones', () => {
    const nested = '<testsuites tests="2" failures="1" errors="0" time="1"><testsuite name="outer" tests="2" failures="1" errors="0" skipped="0" time="1">'
      + '<testcase name="a" classname="c" time="0"/><testsuite name="inner" tests="1" failures="1" errors="0" skipped="0" time="0">'
      + '<testcase name="b" classname="c" time="0"><failure type="t" message="m"/></testcase></testsuite></testsuite></testsuites>'
    expect(junitProblems(nested)).toEqual([])
    expect(junitProblems(nested.replace('name="outer" tests="2"', 'name="outer" tests="1"'))).toEqual(['line 1: <testsuite name="outer">: tests="1" but the test cases in it add up to 2'])
  })

  for (const c of BROKEN) {
    it(`rejects ${c.what}`, () => {
      const problems = junitProblems(c.xml)
      expect(problems.some((p) => p.includes(c.problem)), problems.join('\n')).toBe(true)
    })
  }
})

describe('the check and the Jenkins XSD', () => {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-junit-structure-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  itWith('junit-xsd', 'agree where the XSD has a say: it accepts the valid document and rejects each broken one marked so; the rest (counts, times, what at-scenario promises more) only the check catches', () => {
    const cases = [{ what: 'the valid document', xml: VALID, xsdRejects: false }, ...BROKEN]
    const verdicts = cases.map((c, i) => {
      const file = join(dir, `${i}.xml`)
      writeFileSync(file, c.xml)
      return { what: c.what, xsdRejects: !xmllint(file).valid }
    })
    expect(verdicts).toEqual(cases.map(({ what, xsdRejects }) => ({ what, xsdRejects })))
  })
})
