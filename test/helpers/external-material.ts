import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { it } from 'vitest'
import type { TestContext } from 'vitest'
import { ROOT } from './cli.ts'

/**
 * Test data the project may not ship (a third party's schema, the stock firmware's keys, the doc
 * page): found through environment variables whose defaults are the `../shared` folder that
 * developers and CI have beside the repository. A clone without it still passes its tests: the
 * tests that need the material are skipped, by name and with the variable to set, and
 * AT_SCENARIO_REQUIRE_EXTERNAL=1 (CI) turns those skips into failures.
 */
export type MaterialName = 'junit-xsd' | 'stock-pki' | 'seeds'

export interface Material {
  name: MaterialName
  /** What it is, for the skip message. */
  what: string
  /** The environment variable that says where it is. */
  variable: string
  path: string
  /** True when `variable` itself was set: then its absence is a mistake, not a missing folder. */
  explicit: boolean
  present: boolean
}

/** What a test that needed absent material records, for the reporter. */
export interface MissingMaterial {
  name: MaterialName
  variable: string
  path: string
}

declare module '@vitest/runner' {
  interface TaskMeta {
    externalMaterial?: MissingMaterial[]
  }
}

const fromEnv = (variable: string) => (process.env[variable] ? resolve(process.env[variable]) : undefined)

/** The folder beside the repository that holds reference/ and seeds/. */
export const SHARED = fromEnv('AT_SCENARIO_SHARED') ?? resolve(ROOT, '../shared')

const SEED_PAGE = '000_0f4bb2444a163d75.txt'

const DEFINITIONS: Record<MaterialName, { what: string; variable: string; fallback: string; files: string[] }> = {
  'junit-xsd': {
    what: 'the JUnit XML schema Jenkins validates against (junit-10.xsd)',
    variable: 'AT_SCENARIO_JUNIT_XSD',
    fallback: join(SHARED, 'reference/junit-10.xsd'),
    files: [''],
  },
  'stock-pki': {
    what: 'the stock ESP-AT firmware\'s WebSocket PKI (wss_ca_0N.crt, wss_client_0N.crt/.key)',
    variable: 'AT_SCENARIO_STOCK_PKI',
    fallback: join(SHARED, 'reference/esp-at-pki'),
    files: ['wss_ca_00.crt', 'wss_ca_01.crt', 'wss_client_00.crt', 'wss_client_00.key', 'wss_client_01.crt', 'wss_client_01.key'],
  },
  seeds: {
    what: 'the ESP-AT "WebSocket AT examples" page the first scenarios mirror',
    variable: 'AT_SCENARIO_SEED_DIR',
    fallback: join(SHARED, 'seeds'),
    files: [SEED_PAGE],
  },
}

export function material(name: MaterialName): Material {
  const d = DEFINITIONS[name]
  const explicit = fromEnv(d.variable)
  const path = explicit ?? d.fallback
  return { name, what: d.what, variable: d.variable, path, explicit: explicit !== undefined, present: d.files.every((f) => existsSync(join(path, f))) }
}

/** Where the Jenkins JUnit schema is (present or not: tests needing it use `itWith('junit-xsd', ...)`). */
export const junitXsd = () => material('junit-xsd').path
/** A file of the stock firmware's PKI, e.g. `stockPki('wss_ca_00.crt')`. */
export const stockPki = (file: string) => join(material('stock-pki').path, file)
/** The doc page (Chinese) that scenarios/tcp-echo.yaml and tls-echo.yaml mirror. */
export const seedPage = () => join(material('seeds').path, SEED_PAGE)

export const externalMaterialRequired = () => process.env.AT_SCENARIO_REQUIRE_EXTERNAL === '1'

/** Why a test cannot run, one clause per absent material. */
export function absenceMessage(absent: Material[]): string {
  return absent.map((m) => `${m.what} is not at ${m.path}: set ${m.variable}`).join('; ')
}

/**
 * `it`, for a test that needs external material. Without it the test is skipped with a note that
 * names the variable to set; with AT_SCENARIO_REQUIRE_EXTERNAL=1, or when the material's own
 * variable was set and points at nothing, it fails instead.
 */
export function itWith(needs: MaterialName | MaterialName[], title: string, fn: (context: TestContext) => unknown, timeout?: number): void {
  it(
    title,
    async (context) => {
      const absent = (Array.isArray(needs) ? needs : [needs]).map(material).filter((m) => !m.present)
      if (absent.length > 0) {
        context.task.meta.externalMaterial = absent.map(({ name, variable, path }) => ({ name, variable, path }))
        const why = absenceMessage(absent)
        if (externalMaterialRequired()) throw new Error(`${why} (AT_SCENARIO_REQUIRE_EXTERNAL=1: this test must run here)`)
        const misset = absent.filter((m) => m.explicit)
        if (misset.length > 0) throw new Error(misset.map((m) => `${m.variable} is set to ${m.path}, where ${m.what} is not`).join('; '))
        context.skip(why)
      }
      await fn(context)
    },
    timeout,
  )
}
