import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { describeFsError } from '../diagnostics/fs-error.ts'

/**
 * The environment scenarios see: the process environment over the variables of an env file
 * (`./.env` by default, where a setup script may record PYTHON=/usr/bin/python3 or Wi-Fi
 * credentials). A missing default file is fine; a missing named file is an error.
 *
 * Node 20 reads a `--env-file` anywhere on its command line, also after the script (exit 9, "node:
 * /nope: not found"), and loads the file into the environment itself. bin/at-scenario.js therefore
 * starts node with `--` before the script (`#!/usr/bin/env -S node --`), after which node reads no
 * option of its own: the option is ours alone.
 */
export function loadEnvironment(
  processEnv: Readonly<Record<string, string | undefined>>,
  file: string | undefined,
  cwd: string,
): { env: Record<string, string | undefined>; error?: string } {
  const path = file ?? `${cwd}/.env`
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if (file === undefined && (e as NodeJS.ErrnoException).code === 'ENOENT') return { env: { ...processEnv } }
    return { env: { ...processEnv }, error: `cannot read the env file ${path}: ${describeFsError(e)}` }
  }
  return { env: { ...parseEnv(text), ...processEnv } }
}
