import { isFinal, lineKind } from '../protocol/line-kinds.ts'
import { FRAMED_RECORDS } from '../protocol/framed-records.ts'
import type { Block, DocPage, PageItem, PageSection } from './doc-page.ts'
import type { DraftExpectation, DraftPrerequisite, DraftScenario, DraftStep, SupportFile } from './draft.ts'
import { announcedLength } from './at-params.ts'
import { SiteValues, literal } from './site-values.ts'
import { timeoutOf } from './slow-commands.ts'
import { serverFile } from './python-server.ts'

/** One example section of a page as a scenario, with the files it needs and what could not be mapped. */
export interface DocScenario {
  /** The scenario's file name, from the section's label (`example-websocket-tcp` → websocket-tcp.yaml). */
  file: string
  section: PageSection
  draft: DraftScenario
  /** Each step's page line, in step order (for the re-import diff). */
  stepLines: number[]
  files: SupportFile[]
  unmapped: { line: number; text: string }[]
}

export interface DocImportOptions {
  /** The page's address for `doc:` links; the links are `<url>#<label>`. */
  url: string
  /** The page as people name it, for comments. */
  source: string
}

const COMMAND_LABEL = /^(?:Command|Commands|命令)\s*[:：]$/i
const RESPONSE_LABEL = /^(?:Response|Responses|响应|回复)\s*[:：]$/i
const NOTE_LABEL = /^(?:Note|Notes|说明|注意)\s*[:：]$/i
const PEM = /^-----BEGIN [A-Z ]+-----$/
const RUN_SERVER = /^python3?\s+(\S+\.py)\b/
const FILE_NAME = /^(?:``|`)([\w.-]+\.(?:crt|pem|key|der|cer))(?:``|`)\s*[:：]?$/
/** The payload the prose asks for: "Input 4 bytes, for example, ``test``", "输入 4 字节数据，例如输入数据是 ``test``". */
const PAYLOAD_PROSE = /(?:input|enter|send|type|输入|发送)\D{0,12}?(\d+)\s*(?:bytes?|字节)/i
const INLINE_LITERAL = /``([^`]+)``|`([^`]+)`/

/** Every example section of the page (a section with numbered steps) as a scenario. */
export function scenariosOfPage(page: DocPage, options: DocImportOptions): DocScenario[] {
  const used = new Set<string>()
  return page.sections.filter((s) => s.items.length > 0).map((s, i) => scenarioOfSection(page, s, i, options, used))
}

function scenarioOfSection(page: DocPage, section: PageSection, index: number, options: DocImportOptions, used: Set<string>): DocScenario {
  const site = new SiteValues({ keepPassword: () => true, hostIps: new Set(), connectTargetsAreHost: true })
  const unmapped: DocScenario['unmapped'] = []
  const files: SupportFile[] = []
  const prerequisites: DraftPrerequisite[] = []
  const steps: DraftStep[] = []
  const stepLines: number[] = []
  const doc = section.label ? `${options.url}#${section.label}` : options.url
  const text = (t: string) => templateTarget(literal(t), site)

  // Certificates and keys first: a server's code names them by file name.
  const certs = new Map<string, string>()
  for (const item of section.items) {
    item.blocks.forEach((b, k) => {
      if (b.kind !== 'code' || !PEM.test(b.lines[0]!.trim())) return
      const prev = item.blocks[k - 1]
      const name = prev?.kind === 'para' ? FILE_NAME.exec(prev.text)?.[1] : undefined
      if (!name) {
        unmapped.push({ line: b.line, text: 'a certificate or key with no file name before it: not written' })
        return
      }
      certs.set(name, `certs/${name}`)
      files.push({ path: `certs/${name}`, content: `${b.lines.map((l) => l.trim()).join('\n')}\n`, line: b.line })
    })
  }

  for (const item of section.items) {
    const name = text(stepName(item.text))
    const made = itemSteps(item, name, site, doc, unmapped)
    const server = serverOfItem(item, section, options, site, certs, unmapped)
    if (server) {
      files.push(server.file)
      prerequisites.push(server.prerequisite)
      if (!site.vars.some((v) => v.name === 'python')) site.vars.unshift({ name: 'python', value: '${env.PYTHON:-python3}', comment: 'An interpreter with the modules the server imports (websockets: pip install websockets, or python3-websockets).' })
    }
    const certOnly = item.blocks.some((b) => b.kind === 'code' && PEM.test(b.lines[0]!.trim()))
    if (made.length === 0 && !server && !certOnly) unmapped.push({ line: item.line, text: `a step with no command: ${item.text}` })
    for (const s of made) {
      steps.push(s)
      stepLines.push(item.line)
    }
  }
  // Certificates no server uses are still written, and listed.
  for (const [fileName, path] of certs) {
    if (!site.vars.some((v) => v.value === path)) unmapped.push({ line: section.line, text: `${fileName} is written to ${path}, but no code on the page uses it` })
  }

  const draft: DraftScenario = {
    header: [`Imported from ${options.source} (line ${section.line}) by \`at-scenario import-doc\`.`],
    name: text(section.title),
    doc,
    vars: site.vars,
    secrets: site.secrets,
    prerequisites,
    steps,
  }
  return { file: fileNameOf(section, index, used), section, draft, stepLines, files, unmapped }
}

/** The step's name: its text up to the end of its first sentence, without the full stop. */
function stepName(text: string): string {
  const first = /^(.*?[。：:]|.*?\.(?=\s|$))/.exec(text)?.[1] ?? text
  return first.replace(/[。.：:]$/, '').replace(/``|`/g, '').trim() || text
}

function templateTarget(text: string, site: SiteValues): string {
  if (!text.includes('{IDF_TARGET_NAME}')) return text
  site.declare('idf_target_name', '${env.IDF_TARGET_NAME:-ESP32}', "the doc's {IDF_TARGET_NAME}: the chip the page is read for")
  return text.split('{IDF_TARGET_NAME}').join('${idf_target_name}')
}

interface Pending {
  commands: { text: string; line: number }[]
}

function itemSteps(item: PageItem, name: string, site: SiteValues, doc: string, unmapped: DocScenario['unmapped']): DraftStep[] {
  const steps: DraftStep[] = []
  let expecting: 'command' | 'response' | 'payload-response' | 'receive' | undefined
  let inNote = false
  const pending: Pending = { commands: [] }
  let last: DraftStep | undefined
  const comment = `page line ${item.line}`
  const blocks = item.blocks
  for (let k = 0; k < blocks.length; k++) {
    const b = blocks[k]!
    if (b.kind === 'directive') {
      continue
    }
    if (b.kind === 'para') {
      if (COMMAND_LABEL.test(b.text)) [expecting, inNote] = ['command', false]
      else if (RESPONSE_LABEL.test(b.text)) [expecting, inNote] = ['response', false]
      else if (NOTE_LABEL.test(b.text)) inNote = true
      else if (!inNote) {
        const payload = payloadOf(b.text)
        if (payload && last?.send !== undefined) {
          const announced = announcedLength(last.send)
          const bytes = Buffer.byteLength(payload.text)
          if (bytes !== payload.length) unmapped.push({ line: b.line, text: `the prose says ${payload.length} bytes, but \`${payload.text}\` is ${bytes}: the payload is \`${payload.text}\`` })
          if (announced !== undefined && announced !== bytes) unmapped.push({ line: b.line, text: `the command announces ${announced} bytes, but the payload \`${payload.text}\` is ${bytes}` })
          last = { comment, name: `${name}: ${payload.text}`, payload: literal(payload.text), expect: [], doc }
          steps.push(last)
          expecting = 'payload-response'
        } else if (!expecting && steps.length === 0) expecting = 'receive'
      }
      continue
    }
    if (b.lang !== 'none' && b.lang !== 'text' && b.lang !== '') continue // PC-side code: see serverOfItem
    if (PEM.test(b.lines[0]!.trim())) continue
    const lines = b.lines.map((l) => l.trimEnd()).filter((l) => l.trim() !== '').map((l) => l.trim())
    if (expecting === 'command') {
      for (const c of lines) pending.commands.push({ text: c, line: b.line })
      const shown = pending.commands.splice(0)
      for (const c of shown) {
        last = { comment, name: shown.length > 1 ? `${name}: ${c.text}` : name, send: site.command(c.text), expect: ['OK'], doc }
        const timeout = timeoutOf(c.text)
        if (timeout) last.timeout = timeout
        steps.push(last)
      }
      if (shown.length > 1) unmapped.push({ line: b.line, text: `${shown.length} commands in one block: each is a step expecting OK` })
      expecting = undefined
      continue
    }
    if ((expecting === 'response' || expecting === 'payload-response') && last) {
      steps.push(...responseSteps(last, lines, name, site, doc, comment))
      expecting = undefined
      continue
    }
    if (expecting === 'receive' || (!expecting && steps.length === 0)) {
      // A step that only receives: what the device prints is waited for.
      const expect = lines.map((l) => site.expectation(l).expectation)
      steps.push({ comment, name, wait: expect, doc })
      expecting = undefined
      continue
    }
    unmapped.push({ line: b.line, text: `a code block that is neither a command nor a response: ${lines[0] ?? ''}` })
  }
  if (expecting === 'command') unmapped.push({ line: item.line, text: 'a `Command:` with no code block after it' })
  return steps
}

/** The lines of a response block as the step's expectations and, for unsolicited lines and what comes after the final result, a wait step. */
function responseSteps(step: DraftStep, lines: string[], name: string, site: SiteValues, doc: string, comment: string): DraftStep[] {
  const expect: DraftExpectation[] = []
  const waits: DraftExpectation[] = []
  let ended = false
  let clockSet = false
  for (const l of lines) {
    if (step.send !== undefined && l === step.send.replace(/\$\$\{/g, '${')) continue // the echo, shown on some pages
    if (l === '>') {
      expect.push('>')
      ended = true
      continue
    }
    const kind = lineKind(l)
    const made = site.expectation(l)
    if (made.clockSet) clockSet = true
    if (ended || kind === 'urc' || isReceivedData(l)) waits.push(made.expectation)
    else {
      expect.push(made.expectation)
      if (isFinal(kind)) ended = true
    }
  }
  step.expect = expect
  if (clockSet && step.send !== undefined) {
    // The page shows the time once SNTP set it: on a board that takes a while after AT+CIPSNTPCFG, so ask until it is so.
    step.poll = { every: '1s' }
    step.timeout = '30s'
  }
  if (waits.length === 0) return []
  return [{ comment, name: `${name}: ${waits.map((w) => (typeof w === 'string' ? w.replace(/^\/\^?|\$?\/$/g, '').replace(/\\(.)/g, '$1') : 'data')).join(', ')}`, wait: waits, ...(step.timeout ? { timeout: step.timeout } : {}), doc }]
}

/** `+IPD,4:test`, `+WS_DATA:0,4,test`: received data, which comes when it comes. */
function isReceivedData(line: string): boolean {
  return FRAMED_RECORDS.some((r) => r.unsolicited && line.startsWith(r.prefix))
}

function payloadOf(prose: string): { length: number; text: string } | undefined {
  const m = PAYLOAD_PROSE.exec(prose)
  if (!m || /接收|receive/i.test(prose.slice(0, m.index + m[0].length))) return undefined
  const lit = INLINE_LITERAL.exec(prose.slice(m.index))
  if (!lit) return undefined
  return { length: Number(m[1]), text: lit[1] ?? lit[2]! }
}

function serverOfItem(item: PageItem, section: PageSection, options: DocImportOptions, site: SiteValues, certs: Map<string, string>, unmapped: DocScenario['unmapped']): { file: SupportFile; prerequisite: DraftPrerequisite } | undefined {
  const code = item.blocks.find((b): b is Extract<Block, { kind: 'code' }> => b.kind === 'code' && /^py(?:thon)?3?$/i.test(b.lang) && !(b.lines.length <= 2 && RUN_SERVER.test(b.lines[0]!.trim())))
  if (!code) return undefined
  const run = item.blocks.find((b): b is Extract<Block, { kind: 'code' }> => b.kind === 'code' && RUN_SERVER.test(b.lines[0]!.trim()))
  const named = run ? RUN_SERVER.exec(run.lines[0]!.trim())![1]! : item.blocks.flatMap((b) => (b.kind === 'para' ? [/(?:``|`)([\w.-]+\.py)(?:``|`)/.exec(b.text)?.[1]] : [])).find(Boolean)
  const fileName = (named ?? `server-${item.line}.py`).replace(/^.*\//, '')
  const server = serverFile(code.lines, { source: options.source, line: code.line, section: section.title })
  const args: string[] = []
  let readyPort: string | undefined
  for (const a of server.assignments) {
    if (a.name === 'host' || /^(?:\d{1,3}\.){3}\d{1,3}$/.test(a.value)) {
      if (/^(?:\d{1,3}\.){3}\d{1,3}$/.test(a.value)) site.hostIpsAdd(a.value)
      args.push(`--${a.name}`, '${host.ip}')
    } else if (/port$/i.test(a.name) && /^\d+$/.test(a.value)) {
      const v = site.portVar(a.value)
      readyPort ??= `\${${v}}`
      args.push(`--${a.name}`, `\${${v}}`)
    } else {
      const cert = certs.get(a.value.replace(/^.*[\\/]/, ''))
      if (cert) {
        site.declare(a.name, cert, `the page's ${a.value.replace(/^.*[\\/]/, '')}`)
        args.push(`--${a.name}`, `\${${a.name}}`)
      }
    }
  }
  if (!readyPort) unmapped.push({ line: code.line, text: 'the server has no `port = ...`: its prerequisite waits 2 s instead of for its port' })
  return {
    file: { path: `servers/${fileName}`, content: server.text, line: code.line },
    prerequisite: { name: templateTarget(literal(stepName(item.text)), site), run: ['${python}', `servers/${fileName}`, ...args], ready: readyPort ? { port: readyPort, timeout: '10s' } : { delay: '2s' } },
  }
}

function fileNameOf(section: PageSection, index: number, used: Set<string>): string {
  const base = section.label?.replace(/^example-/, '') ?? (section.title.toLowerCase().replace(/\{idf_target_name\}/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || `example-${index + 1}`)
  let name = base
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`
  used.add(name)
  return `${name}.yaml`
}
