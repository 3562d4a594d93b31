import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli.ts'

/** The layers of DESIGN.md are enforced by the lint (eslint.config.js), not only followed. */
describe('layers', () => {
  // Scratch files exist only as text here: the type-aware rules, which need them in the project, are off.
  const eslint = new ESLint({ cwd: ROOT, overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false } } }] })
  const lint = async (file: string, code: string) => (await eslint.lintText(code, { filePath: `${ROOT}${file}` }))[0]!.messages.map((m) => m.message)

  it('the engine may not import a reporter, nor the protocol layer the link', async () => {
    expect((await lint('src/engine/scratch.ts', "import { RunReporting } from '../report/run-reporting.ts'\nexport const x = RunReporting\n")).join('\n')).toContain('engine/ may import only from')
    expect((await lint('src/protocol/scratch.ts', "import { StreamLink } from '../link/stream-link.ts'\nexport const x = StreamLink\n")).join('\n')).toContain('protocol/ may import only from')
    expect((await lint('src/engine/steps/scratch.ts', "import { REPORT_FORMATS } from '../../report/formats.ts'\nexport const x = REPORT_FORMATS\n")).join('\n')).toContain('engine/ may import only from')
  })

  it('what a layer may import passes, and I/O packages stay out of the pure layers', async () => {
    expect(await lint('src/report/scratch.ts', "import { runScenario } from '../engine/run-scenario.ts'\nexport const x = runScenario\n")).toEqual([])
    expect((await lint('src/bytes/scratch.ts', "import { readFileSync } from 'node:fs'\nexport const x = readFileSync\n")).join('\n')).toContain('free of I/O')
  })
})
