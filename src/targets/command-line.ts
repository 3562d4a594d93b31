/**
 * A command line as labs hand it over (LAVA's `LAVA_CONNECTION_COMMAND`, `LAVA_HARD_RESET_COMMAND`):
 * split into argv the way `sh` would for plain words and quotes, so that it can run without a shell.
 * What only a shell can run (pipes, redirections, `$VAR`, globs, `;`) is reported as such, and the
 * caller decides (`sh -c`, or an error); `&&`, which LAVA puts between the commands of one action,
 * separates commands.
 */
export type CommandLine = { commands: string[][] } | { needsShell: string }

const SHELL_ONLY = new Set(['|', '&', ';', '<', '>', '(', ')', '$', '`', '*', '?', '[', ']', '{', '}', '~', '#'])

export function parseCommandLine(line: string): CommandLine {
  const commands: string[][] = [[]]
  let word: string | undefined
  const endWord = () => {
    if (word !== undefined) commands.at(-1)!.push(word)
    word = undefined
  }
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === ' ' || c === '\t' || c === '\n') {
      endWord()
      continue
    }
    if (c === '&' && line[i + 1] === '&' && word === undefined) {
      if (commands.at(-1)!.length === 0) return { needsShell: '`&&` with no command before it' }
      commands.push([])
      i++
      continue
    }
    if (c === "'") {
      const close = line.indexOf("'", i + 1)
      if (close === -1) return { needsShell: 'a single quote that is never closed' }
      word = (word ?? '') + line.slice(i + 1, close)
      i = close
      continue
    }
    if (c === '"') {
      let text = ''
      let j = i + 1
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '$' || line[j] === '`') return { needsShell: `\`${line[j]}\` inside double quotes` }
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1]!)) j++
        text += line[j]
      }
      if (j >= line.length) return { needsShell: 'a double quote that is never closed' }
      word = (word ?? '') + text
      i = j
      continue
    }
    if (c === '\\') {
      if (i + 1 >= line.length) return { needsShell: 'a lone `\\` at the end' }
      word = (word ?? '') + line[++i]
      continue
    }
    if (SHELL_ONLY.has(c) && !(c === '#' && word !== undefined) && !(c === '~' && word !== undefined)) return { needsShell: `\`${c}\`` }
    // `NAME=value cmd` sets a variable for the command: a shell's job.
    if (c === '=' && commands.at(-1)!.length === 0 && word !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(word)) return { needsShell: 'a variable assignment before the command' }
    word = (word ?? '') + c
  }
  endWord()
  if (commands.at(-1)!.length === 0) {
    if (commands.length > 1) return { needsShell: '`&&` with no command after it' }
    return { commands: [] }
  }
  return { commands }
}

/** A command line shown as one would type it again: words with spaces or quotes in single quotes. */
export function shownCommand(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ')
}
