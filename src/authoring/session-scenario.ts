import type { RecordEntry } from '../replay/atrec-format.ts'
import type { DraftScenario } from './draft.ts'
import { secretSegments } from './log-scenario.ts'
import { SiteValues } from './site-values.ts'
import type { SessionLog } from './terminal-session.ts'
import { stepsFromTraffic } from './traffic-steps.ts'

export interface SessionScenario {
  draft: DraftScenario
  warnings: string[]
  notes: string[]
  /** The recording's entries, every typed password named instead of written. */
  entries: RecordEntry[]
}

/**
 * The scenario of a terminal session: the commands typed as steps named by themselves, the
 * answers as their expectations (stepsFromTraffic). The Wi-Fi password typed is written nowhere:
 * the scenario takes it from WIFI_PASSWORD, and the recording names it.
 */
export function scenarioFromSession(session: SessionLog, where: { target: string; hostIp: string }): SessionScenario {
  const site = new SiteValues({ keepPassword: () => false, hostIps: new Set([where.hostIp]), connectTargetsAreHost: true })
  const { steps, warnings } = stepsFromTraffic(session.traffic, site)
  const draft: DraftScenario = {
    header: [`Recorded by \`at-scenario record-session\` on ${where.target}, ${new Date().toISOString().slice(0, 10)}: name the steps and check the expectations.`],
    name: `Session on ${where.target}`,
    vars: site.vars,
    secrets: site.secrets,
    prerequisites: [],
    steps,
  }
  const secrets = session.secrets.map((value) => ({ name: 'password', bytes: Buffer.from(value) }))
  const entries = session.entries.map((e) => (e.kind === 'data' ? { ...e, segments: secretSegments(e.segments, secrets) } : e))
  return { draft, warnings, notes: site.notes, entries }
}
