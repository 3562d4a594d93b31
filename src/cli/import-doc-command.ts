import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path'
import { describeFsError } from '../diagnostics/fs-error.ts'
import { makeDirectory } from '../files/make-directory.ts'
import { terminalText } from '../bytes/terminal-text.ts'
import type { CliOptions } from './args.ts'
import { ExitCode } from './exit-codes.ts'
import type { CliIo } from './main.ts'

/**
 * `at-scenario import-doc page.rst -o dir`: an ESP-AT example page becomes a scenario per example
 * section, with the servers and certificates the page shows. Scenarios already there are not
 * overwritten: a page that changed is shown as the steps added, removed and changed (exit 1), and
 * `--force` writes it.
 */
export async function importDocCommand(options: CliOptions, io: CliIo): Promise<number> {
  const [{ readDocPage }, { scenariosOfPage }, { scenarioYaml }, { schemaReference }, { diffScenarios }] = await Promise.all([
    import('../authoring/doc-page.ts'),
    import('../authoring/doc-scenarios.ts'),
    import('../authoring/scenario-yaml.ts'),
    import('../authoring/write-files.ts'),
    import('../authoring/scenario-diff.ts'),
  ])
  const input = options.files[0]!
  const pagePath = resolve(io.cwd, input)
  let text: string
  try {
    text = await readFile(pagePath, 'utf8')
  } catch (e) {
    io.stderr.write(`at-scenario: cannot read ${input}: ${describeFsError(e)}\n`)
    return ExitCode.BadInput
  }
  const outDir = resolve(io.cwd, options.output ?? '.')
  const format = /^\.(?:md|markdown)$/i.test(extname(input)) || (!/\.\. code-block::|^\.\. _/m.test(text) && /^```/m.test(text)) ? 'md' : 'rst'
  const page = readDocPage(text, format)
  const url = options.docUrl ?? (relative(outDir, pagePath).split(sep).join('/') || basename(pagePath))
  const scenarios = scenariosOfPage(page, { url, source: basename(input) })
  if (scenarios.length === 0) {
    io.stderr.write(`at-scenario: ${input}: no example in it (a section with numbered steps, \`#.\` or \`1.\`)\n`)
    return ExitCode.BadInput
  }

  const schema = schemaReference(outDir)
  const writes: { path: string; content: string }[] = []
  const differing: string[] = []
  const out: string[] = [`Imported ${input} (${page.format === 'rst' ? 'reStructuredText' : 'Markdown'}, ${page.language === 'zh' ? 'Chinese' : 'English'}): ${scenarios.length} ${scenarios.length === 1 ? 'scenario' : 'scenarios'}`]
  const where = (line: number) => `${input}:${line}`
  for (const s of scenarios) {
    const yaml = scenarioYaml(s.draft, schema)
    const path = join(outDir, s.file)
    out.push(`  ${s.file}: ${s.draft.steps.length} steps${s.draft.prerequisites.length ? `, ${s.draft.prerequisites.length} prerequisite (${s.draft.prerequisites.map((p) => p.run[1]).join(', ')})` : ''}${s.draft.secrets.length ? `, secrets: ${s.draft.secrets.join(', ')}` : ''}`)
    if (existsSync(path)) {
      const diff = diffScenarios(await readFile(path, 'utf8'), yaml, s.stepLines)
      if (!diff.same) {
        differing.push(`${relative(io.cwd, path) || s.file} differs from ${input} (section "${s.section.title}", line ${s.section.line}):`, ...diff.lines.map((l) => `  ${l}`))
        writes.push({ path, content: yaml })
      }
    } else writes.push({ path, content: yaml })
    for (const f of s.files) {
      const filePath = join(outDir, f.path)
      if (existsSync(filePath)) {
        const current = await readFile(filePath, 'utf8')
        if (current === f.content) continue
        differing.push(`${relative(io.cwd, filePath)} differs from the code at ${where(f.line ?? 0)}`)
      }
      writes.push({ path: filePath, content: f.content })
    }
  }
  const unmapped = scenarios.flatMap((s) => s.unmapped)
  const conditions = page.conditions.map((c) => ({ line: c.line, text: `target condition \`${c.text}\`: its steps are imported as if they held on every target` }))
  const notes = [...unmapped, ...conditions].sort((a, b) => a.line - b.line)
  const uniqueNotes = [...new Map(notes.map((n) => [`${n.line} ${n.text}`, n])).values()]
  if (uniqueNotes.length > 0) out.push('Not mapped, check by hand:', ...uniqueNotes.map((n) => `  ${where(n.line)}: ${terminalText(n.text)}`))
  const siteNotes = [...new Set(scenarios.flatMap((s) => s.draft.secrets.length ? [`Wi-Fi credentials come from WIFI_SSID and WIFI_PASSWORD (environment or .env), the page's values as the fallback`] : []))]
  out.push(...siteNotes)
  // A page's certificates fit the firmware PKI its device was flashed with, not the simulator's test PKI.
  for (const s of scenarios.filter((s) => s.files.some((f) => f.path.startsWith('certs/')))) {
    out.push(`${s.file}: its certificates come from the page; they fit a board flashed with the PKI the page was written for (ESP-AT's stock one). On the simulator, give it that PKI: --profile with pki: clientCerts, clientKeys, caCerts (schema/device.schema.json)`)
  }
  if (differing.length > 0 && !options.force) {
    io.stdout.write(`${out.join('\n')}\n`)
    io.stdout.write(`${differing.map(terminalText).join('\n')}\nNothing written: the files above differ from the page. Write them with --force.\n`)
    return ExitCode.Failed
  }
  for (const w of writes) {
    try {
      makeDirectory(dirname(w.path))
      await writeFile(w.path, w.content)
    } catch (e) {
      io.stderr.write(`at-scenario: cannot write ${relative(io.cwd, w.path)}: ${describeFsError(e)}\n`)
      return ExitCode.BadInput
    }
  }
  if (differing.length > 0) out.push(...differing, 'Written over them (--force).')
  out.push(writes.length > 0 ? `Written: ${writes.map((w) => relative(io.cwd, w.path)).join(', ')}` : 'Nothing to write: the scenarios are already the same as the page.')
  io.stdout.write(`${out.map(terminalText).join('\n')}\n`)
  return ExitCode.Passed
}
