import { existsSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { readLimitedText } from '../source/read-limited.ts'

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
  if (file === undefined && !existsSync(path)) return { env: { ...processEnv } }
  const read = readLimitedText(path, 'scenario')
  if (!read.ok) return { env: { ...processEnv }, error: `cannot read the env file ${path}: ${read.why}` }
  return { env: { ...parseEnv(read.text), ...processEnv } }
}
