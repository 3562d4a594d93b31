import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'

/**
 * The environment scenarios see: the process environment over the variables of an env file
 * (`./.env` by default, where a setup script may record PYTHON=/usr/bin/python3 or Wi-Fi
 * credentials). A missing default file is fine; a missing named file is an error.
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
    return { env: { ...processEnv }, error: `cannot read env file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }
  }
  return { env: { ...parseEnv(text), ...processEnv } }
}
