import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml'
import type { Document, Node, Pair } from 'yaml'
import type { Diagnostic, Span } from '../diagnostics/diagnostic.ts'
import { error } from '../diagnostics/diagnostic.ts'
import { checkYamlLimits, YAML_LIMITS } from './yaml-limits.ts'

export type Path = readonly (string | number)[]

/**
 * A parsed YAML file that keeps every node's position, so that any problem found later (by the
 * schema, the linter or a failing step) can point at `file:line:col`.
 */
export class YamlSource {
  readonly file: string
  readonly text: string
  readonly doc: Document.Parsed
  /** The document's value (maps as plain objects), when it has no diagnostics. */
  readonly value: unknown
  readonly diagnostics: Diagnostic[] = []
  private readonly lines = new LineCounter()

  constructor(file: string, text: string) {
    this.file = file
    this.text = text
    // logLevel: yaml's warnings (a map key that is a list) would go to process.emitWarning, on stderr.
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true, logLevel: 'error' })
    // yaml may report one mistake twice from the same place; the more precise report wins.
    const errors = this.doc.errors.filter(
      (e) => !(e.code === 'BLOCK_AS_IMPLICIT_KEY' && this.doc.errors.some((o) => o.code === 'MULTILINE_IMPLICIT_KEY' && o.pos[0] === e.pos[0])),
    )
    for (const e of errors) {
      const [start, end] = this.locateYamlError(e.code, e.pos)
      this.diagnostics.push(error('yaml-syntax', yamlMessage(e.message), this.spanOf(start, Math.max(end, start + 1)), YAML_HINTS[e.code]))
    }
    this.value = this.diagnostics.length === 0 ? this.convert() : undefined
  }

  /**
   * The value of a document free of syntax errors. Aliases are checked first, so that one without
   * its anchor, inside itself, or expanding to too much is an error at the alias, before yaml
   * resolves any (and throws, or fills the memory).
   */
  private convert(): unknown {
    const problem = checkYamlLimits(this.doc)
    if (problem) {
      const [start, end] = problem.node.range ?? [0, 1]
      this.diagnostics.push(error(problem.code, problem.message, this.spanOf(start, Math.max(end, start + 1)), problem.hint))
      return undefined
    }
    try {
      return this.doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount })
    } catch (e) {
      // The check above is meant to leave nothing for yaml to refuse; if it does, it is still the file's fault.
      this.diagnostics.push(error('yaml-syntax', `the YAML cannot be read: ${(e as Error).message}`, this.spanOf(0, 1)))
      return undefined
    }
  }

  /** Where a person should look for a YAML mistake, which is not always where the parser noticed it. */
  private locateYamlError(code: string, [start, end]: [number, number]): [number, number] {
    const text = this.text
    if (code === 'MULTILINE_IMPLICIT_KEY') {
      // The culprit is the line that continues the key: the last line of the range, where its text starts.
      const lineStart = text.lastIndexOf('\n', end - 1) + 1
      if (lineStart > start) {
        const first = lineStart + (/^[ \t]*/.exec(text.slice(lineStart))?.[0].length ?? 0)
        const wordEnd = first + (/^[^\s:]*/.exec(text.slice(first))?.[0].length ?? 1)
        return [first, Math.max(wordEnd, first + 1)]
      }
    }
    if (code === 'MISSING_CHAR') {
      // An unclosed quote: point at the quote that opened the scalar.
      for (let i = Math.min(start, text.length) - 1; i >= 0; i--) {
        const ch = text[i]
        if ((ch === '"' && text[i - 1] !== '\\') || ch === "'") {
          const before = text.slice(text.lastIndexOf('\n', i - 1) + 1, i)
          if (/(^|[:\-[{,]\s*)$/.test(before)) return [i, i + 1]
        }
      }
    }
    if (code === 'DUPLICATE_KEY') {
      const word = /^[^\s:]+/.exec(text.slice(start))
      if (word) return [start, start + word[0].length]
    }
    return [start, end]
  }

  spanOf(startOffset: number, endOffset: number): Span {
    const start = this.lines.linePos(startOffset)
    const end = this.lines.linePos(endOffset)
    return { file: this.file, start: clampPos(start), end: clampPos(end) }
  }

  /** The node at a path of map keys and sequence indexes, or undefined. */
  nodeAt(path: Path): Node | undefined {
    let node: unknown = this.doc.contents
    for (const key of path) {
      if (isMap(node)) node = node.items.find((p): p is Pair => keyOf(p) === String(key))?.value
      else if (isSeq(node) && typeof key === 'number') node = node.items[key]
      else return undefined
    }
    return (node ?? undefined) as Node | undefined
  }

  /** The key node of `key` in the map at `path`. */
  keyAt(path: Path, key: string): Node | undefined {
    const map = this.nodeAt(path)
    if (!isMap(map)) return undefined
    const pair = map.items.find((p) => keyOf(p) === key)
    return pair && isScalar(pair.key) ? pair.key : undefined
  }

  /**
   * Where to point for the value at `path`: the value itself, else its key (for `key:` with no
   * value), else the nearest ancestor that exists.
   */
  spanAt(path: Path): Span {
    for (let n = path.length; n >= 0; n--) {
      const node = this.nodeAt(path.slice(0, n))
      if (node?.range) return this.spanOfNode(node)
      const last = path[n - 1]
      if (n > 0 && typeof last === 'string') {
        const key = this.keyAt(path.slice(0, n - 1), last)
        if (key?.range) return this.spanOfNode(key)
      }
    }
    return this.spanOf(0, 1)
  }

  /** A node's span, cut to its first line so that a caret line stays readable. */
  spanOfNode(node: Node): Span {
    const [start, valueEnd] = node.range!
    const firstLineEnd = this.text.indexOf('\n', start)
    const end = firstLineEnd >= 0 && firstLineEnd < valueEnd ? firstLineEnd : valueEnd
    return this.spanOf(start, Math.max(end, start + 1))
  }
}

const YAML_HINTS: Record<string, string> = {
  MULTILINE_IMPLICIT_KEY: 'check the indentation: the keys of one map start in the same column',
  BLOCK_AS_IMPLICIT_KEY: 'check the indentation: the keys of one map start in the same column',
  BAD_INDENT: 'check the indentation: the keys of one map start in the same column',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs',
  DUPLICATE_KEY: 'a map has each key once; remove or rename one of them',
  MISSING_CHAR: 'close the quote on the same line, or use a block scalar (`|`) for multi-line text',
}

function keyOf(pair: unknown): string | undefined {
  if (!isPair(pair)) return undefined
  return isScalar(pair.key) ? String(pair.key.value) : undefined
}

function clampPos(pos: { line: number; col: number }): { line: number; col: number } {
  return { line: Math.max(1, pos.line), col: Math.max(1, pos.col) }
}

/** yaml's messages end with "at line X, column Y"; the code frame already says where. */
function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').replace(/\s+$/, '')
}
