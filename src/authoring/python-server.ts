/**
 * The PC-side Python of an example page (the doc's echo servers) as a file the scenario starts:
 * the page's code as it is, except that its site values (`host = "192.168.200.249"`, `port = 8765`,
 * `server_cert = '/your_path/server.crt'`), which the page asks the reader to edit, can be given
 * as `--host 127.0.0.1` and so on, with the page's value as the default.
 */
export interface ServerFile {
  text: string
  /** The top-level assignments made overridable, with the page's value (without quotes). */
  assignments: { name: string; value: string }[]
}

const ASSIGNMENT = /^([A-Za-z_]\w*)\s*=\s*("[^"\\]*"|'[^'\\]*'|\d+)\s*(#.*)?$/

const HELPER = [
  '# at-scenario import-doc: the values the page asks you to edit below can be given as',
  '# `--<name> <value>` instead (the scenario does so); without one, the page\'s value holds.',
  'import sys as _at_sys',
  '',
  '',
  'def _page_value(name, value):',
  '    args = _at_sys.argv[1:]',
  '    flag = "--" + name',
  '    if flag in args and args.index(flag) + 1 < len(args):',
  '        return type(value)(args[args.index(flag) + 1])',
  '    return value',
  '',
  '',
]

export function serverFile(lines: readonly string[], from: { source: string; line: number; section: string }): ServerFile {
  const assignments: ServerFile['assignments'] = []
  const out: string[] = []
  let helped = false
  const origin = `# From ${from.source}, line ${from.line} ("${from.section}"), by at-scenario import-doc.`
  lines.forEach((l, i) => {
    const m = ASSIGNMENT.exec(l)
    if (m) {
      if (!helped) {
        out.push(...HELPER)
        helped = true
      }
      const [, name, value, comment] = m
      assignments.push({ name: name!, value: /^\d+$/.test(value!) ? value! : value!.slice(1, -1) })
      out.push(`${name} = _page_value("${name}", ${value})${comment ? `  ${comment}` : ''}`)
      return
    }
    out.push(l)
    if (i === 0 && l.startsWith('#!')) out.push(origin)
  })
  if (!lines[0]?.startsWith('#!')) out.unshift(origin)
  return { text: `${out.join('\n')}\n`, assignments }
}
