/**
 * An ESP-AT example page (reStructuredText as in espressif/esp-at docs/en and docs/zh_CN
 * AT_Command_Examples, or a Markdown rendering of one) read into what the examples are made of:
 * sections with a label, numbered steps (`#.`), and in each step its paragraphs and code blocks,
 * each with its line in the page.
 */
export type Block =
  | { kind: 'para'; text: string; line: number }
  | { kind: 'code'; lang: string; lines: string[]; line: number }
  /** A directive the steps do not use (`.. figure::`, `.. note::`); `.. only::` is kept as a condition. */
  | { kind: 'directive'; name: string; arg: string; line: number }

export interface PageItem {
  text: string
  line: number
  blocks: Block[]
}

export interface PageSection {
  title: string
  line: number
  label?: string
  /** What comes before the first step. */
  intro: Block[]
  items: PageItem[]
}

export interface DocPage {
  format: 'rst' | 'md'
  title: string
  language: 'en' | 'zh'
  sections: PageSection[]
  /** Target conditions (`.. only:: esp32`, `:esp32:`) with their line: their content is read as if unconditional. */
  conditions: { line: number; text: string }[]
}

export function readDocPage(text: string, format: 'rst' | 'md'): DocPage {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const conditions: DocPage['conditions'] = []
  const page = format === 'rst' ? readRst(unwrapConditions(lines, conditions)) : readMarkdown(lines)
  // The link to the other language's page names it in that language: not the page's own.
  const language = /[\u4e00-\u9fff]/.test(text.replace(/^.*:link_to_translation:.*$/gm, '')) ? 'zh' : 'en'
  return { format, language, ...page, conditions }
}

/** `.. only:: esp32` blocks: noted, and their body moved out as if it held on every target. */
function unwrapConditions(lines: string[], conditions: DocPage['conditions']): string[] {
  const out = [...lines]
  for (let i = 0; i < out.length; i++) {
    const m = /^(\s*)\.\. only::\s*(.*)$/.exec(out[i]!)
    if (!m) {
      const role = /(^|\s):(esp32\w*|esp8266):(?!`)/.exec(out[i]!)
      if (role) conditions.push({ line: i + 1, text: `:${role[2]}:` })
      continue
    }
    conditions.push({ line: i + 1, text: `.. only:: ${m[2]!.trim()}` })
    const indent = m[1]!.length
    out[i] = ''
    let shift: number | undefined
    for (let j = i + 1; j < out.length; j++) {
      const l = out[j]!
      if (l.trim() === '') continue
      const ind = l.length - l.trimStart().length
      if (ind <= indent) break
      shift ??= ind - indent
      out[j] = l.slice(Math.min(shift, ind - indent))
    }
  }
  return out
}

const UNDERLINE = /^([=\-~^*+#"'`])\1{2,}\s*$/
const ITEM = /^(?:#|\d+)\.\s+(.*)$/

function readRst(lines: string[]): Omit<DocPage, 'format' | 'language' | 'conditions'> {
  let title = ''
  const sections: PageSection[] = []
  let label: string | undefined
  let section: PageSection | undefined
  let i = 0
  while (i < lines.length) {
    const l = lines[i]!
    const next = lines[i + 1]
    const labelMatch = /^\.\. _([^:]+):\s*$/.exec(l)
    if (labelMatch) {
      label = labelMatch[1]
      i++
      continue
    }
    if (l.trim() !== '' && !/^\s/.test(l) && next !== undefined && UNDERLINE.test(next) && !UNDERLINE.test(l)) {
      if (!title) title = l.trim()
      else {
        section = { title: l.trim(), line: i + 1, intro: [], items: [], ...(label ? { label } : {}) }
        sections.push(section)
      }
      label = undefined
      i += 2
      continue
    }
    const item = ITEM.exec(l)
    if (item && section) {
      // The step's text may go on over indented lines; its body is what is indented under it.
      let text = item[1]!.trim()
      let j = i + 1
      while (j < lines.length && lines[j]!.trim() !== '' && /^\s{2,}\S/.test(lines[j]!)) text += ` ${lines[j++]!.trim()}`
      const start = j
      while (j < lines.length && (lines[j]!.trim() === '' || /^\s/.test(lines[j]!))) j++
      section.items.push({ text, line: i + 1, blocks: rstBlocks(lines, start, j) })
      i = j
      continue
    }
    if (section && l.trim() !== '') {
      let j = i
      while (j < lines.length && lines[j]!.trim() !== '' && !ITEM.test(lines[j]!) && !/^\.\. _/.test(lines[j]!)) j++
      if (j === i) j = i + 1
      if (section.items.length === 0) section.intro.push(...rstBlocks(lines, i, j))
      i = j
      continue
    }
    i++
  }
  return { title, sections }
}

/** Paragraphs, code blocks and directives of lines [from, to), by their indentation. */
function rstBlocks(lines: string[], from: number, to: number): Block[] {
  const blocks: Block[] = []
  let i = from
  while (i < to) {
    const l = lines[i]!
    if (l.trim() === '') {
      i++
      continue
    }
    const indent = l.length - l.trimStart().length
    const directive = /^\s*\.\.\s+([\w-]+)::\s*(.*)$/.exec(l)
    const literalPara = !directive && /::\s*$/.test(l)
    if (directive || literalPara) {
      // The body: what is indented more than the directive, after its options.
      let j = i + 1
      const body: { text: string; line: number }[] = []
      while (j < to) {
        const b = lines[j]!
        if (b.trim() !== '' && b.length - b.trimStart().length <= indent) break
        body.push({ text: b, line: j + 1 })
        j++
      }
      const name = directive ? directive[1]!.toLowerCase() : 'code-block'
      if (name === 'code-block' || name === 'code' || name === 'sourcecode') {
        if (literalPara) blocks.push({ kind: 'para', text: l.trim().replace(/::\s*$/, ':'), line: i + 1 })
        const content = body.filter((b, k) => !(b.text.trim().startsWith(':') && body.slice(0, k).every((x) => x.text.trim().startsWith(':'))))
        const code = dedent(content)
        if (code.lines.length > 0) blocks.push({ kind: 'code', lang: directive ? (directive[2]!.trim() || 'none') : 'none', lines: code.lines, line: code.line })
      } else {
        blocks.push({ kind: 'directive', name, arg: directive![2]!.trim(), line: i + 1 })
        // An admonition's text is prose about the step: kept as paragraphs.
        if (['note', 'important', 'attention', 'tip', 'warning', 'hint'].includes(name)) blocks.push(...rstBlocks(lines, i + 1, j))
      }
      i = j
      continue
    }
    let j = i
    const parts: string[] = []
    while (j < to && lines[j]!.trim() !== '' && !/^\s*\.\.\s+[\w-]+::/.test(lines[j]!)) {
      parts.push(lines[j]!.trim())
      j++
      if (/::\s*$/.test(lines[j - 1]!)) break
    }
    if (parts.length > 0 && /::\s*$/.test(parts[parts.length - 1]!)) {
      // A paragraph that ends with `::` introduces a literal block: handled as one above.
      j--
      parts.pop()
    }
    if (parts.length > 0) blocks.push({ kind: 'para', text: parts.join(' '), line: i + 1 })
    i = Math.max(j, i + 1)
  }
  return blocks
}

function dedent(body: { text: string; line: number }[]): { lines: string[]; line: number } {
  const first = body.findIndex((b) => b.text.trim() !== '')
  if (first < 0) return { lines: [], line: 0 }
  let last = body.length - 1
  while (body[last]!.text.trim() === '') last--
  const kept = body.slice(first, last + 1)
  const indent = Math.min(...kept.filter((b) => b.text.trim() !== '').map((b) => b.text.length - b.text.trimStart().length))
  const line = kept[0]!.line
  return { lines: kept.map((b) => b.text.slice(Math.min(indent, b.text.length - b.text.trimStart().length))), line }
}

const MD_HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/
const MD_ITEM = /^(\d+)[.)]\s+(.*)$/
const FENCE = /^(\s*)(```+|~~~+)\s*([\w-]*)/

function readMarkdown(lines: string[]): Omit<DocPage, 'format' | 'language' | 'conditions'> {
  let title = ''
  const sections: PageSection[] = []
  let label: string | undefined
  let section: PageSection | undefined
  let item: PageItem | undefined
  let para: { text: string; line: number } | undefined
  const flush = () => {
    if (para) (item ? item.blocks : section?.intro)?.push({ kind: 'para', ...para })
    para = undefined
  }
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!
    const anchor = /^\s*<a\s+(?:name|id)="([^"]+)"\s*>\s*<\/a>\s*$/.exec(l) ?? /^\(([\w-]+)\)=\s*$/.exec(l)
    if (anchor) {
      flush()
      label = anchor[1]
      continue
    }
    const heading = MD_HEADING.exec(l)
    if (heading) {
      flush()
      item = undefined
      let text = heading[2]!
      const id = /\s*\{#([\w-]+)\}$/.exec(text)
      if (id) {
        label = id[1]
        text = text.slice(0, id.index)
      }
      if (!title && heading[1] === '#') title = text
      else {
        section = { title: text, line: i + 1, intro: [], items: [], ...(label ? { label } : {}) }
        sections.push(section)
      }
      label = undefined
      continue
    }
    const fence = FENCE.exec(l)
    if (fence) {
      flush()
      const body: { text: string; line: number }[] = []
      let j = i + 1
      const closing = new RegExp(`^\\s*${fence[2]![0] === '`' ? '```' : '~~~'}`)
      while (j < lines.length && !closing.test(lines[j]!)) {
        body.push({ text: lines[j]!, line: j + 1 })
        j++
      }
      const code = dedent(body)
      if (code.lines.length > 0 && section) (item ? item.blocks : section.intro).push({ kind: 'code', lang: fence[3] || 'none', lines: code.lines, line: code.line })
      i = j
      continue
    }
    const numbered = MD_ITEM.exec(l)
    if (numbered && section) {
      flush()
      item = { text: numbered[2]!.trim(), line: i + 1, blocks: [] }
      section.items.push(item)
      continue
    }
    if (l.trim() === '') {
      flush()
      continue
    }
    if (item && !para && item.blocks.length === 0 && /^\s{2,}\S/.test(l) && lines[i - 1]?.trim() !== '') {
      item.text += ` ${l.trim()}`
      continue
    }
    if (!/^\s/.test(l) && item && !/^[-*]\s/.test(l)) item = undefined
    const text = l.trim().replace(/\*\*([^*]+)\*\*/g, '$1')
    if (para) para.text += ` ${text}`
    else para = { text, line: i + 1 }
  }
  flush()
  return { title, sections }
}
