import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { isAbsolute, relative } from 'node:path'

/** `npm run golden:update` sets this; nothing else may write expected files. */
export const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1'

/**
 * The expected text of a golden file. With `update`, the actual output becomes it. Without, a
 * missing file is a failure that says how to create it: writing it here would make the test pass
 * against whatever the code printed today, on CI too.
 */
export function goldenText(path: string, actual: string, update = UPDATE_GOLDEN): string {
  if (update) {
    writeFileSync(path, actual)
    return actual
  }
  if (!existsSync(path)) {
    const rel = relative(process.cwd(), path)
    const shown = rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
    throw new Error(`golden file ${shown} is missing: run \`npm run golden:update\` to write it from the current output, and review it before committing`)
  }
  return readFileSync(path, 'utf8')
}
