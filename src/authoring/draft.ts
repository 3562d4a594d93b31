/**
 * A scenario as the authoring tools build it, before it is written out as YAML: the keys of
 * schema/scenario.schema.json in the order people read them, plus a comment per step saying where
 * it came from (a page's line, a log's line, a typed command).
 */

/** What a step expects, as a scenario writes it: a line, a `/regex/`, or received data. */
export type DraftExpectation = string | { data: string | { hex: string }; kind?: 'ipd' | 'recv' | 'mqtt' | 'http' | 'ws' | 'raw'; link?: number; topic?: string }

export interface DraftStep {
  /** Written above the step as `# ...`: where it came from. */
  comment?: string
  name?: string
  send?: string
  payload?: string | { hex: string }
  wait?: DraftExpectation[]
  expect?: DraftExpectation[]
  poll?: { every: string }
  timeout?: string
  doc?: string
}

export interface DraftPrerequisite {
  name: string
  run: string[]
  ready: { port: string; timeout: string } | { delay: string }
}

export interface DraftScenario {
  /** Lines of the comment at the top of the file, after the schema line. */
  header: string[]
  name: string
  description?: string
  doc?: string
  tags?: string[]
  /** Name and value (a template such as `${env.WIFI_SSID:-espressif}`), with an optional comment. */
  vars: { name: string; value: string; comment?: string }[]
  secrets: string[]
  prerequisites: DraftPrerequisite[]
  steps: DraftStep[]
}

/** A file the scenario needs beside it (a server's code, a certificate), relative to the scenario's folder. */
export interface SupportFile {
  path: string
  content: string
  /** Where in the source it came from, for messages. */
  line?: number
}

export function emptyScenario(name: string): DraftScenario {
  return { header: [], name, vars: [], secrets: [], prerequisites: [], steps: [] }
}
