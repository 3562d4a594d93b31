import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { renderDiagnostic } from '../diagnostics/code-frame.ts'
import type { Diagnostic } from '../diagnostics/diagnostic.ts'
import { error, hasErrors } from '../diagnostics/diagnostic.ts'
import { describeFsError } from '../diagnostics/fs-error.ts'
import { checkDuration } from '../source/duration.ts'
import { checkSchema, schemaValidator } from '../source/schema-check.ts'
import type { Path } from '../source/yaml-source.ts'
import { YamlSource } from '../source/yaml-source.ts'
import type { AccessPoint, DeepPartial, DeviceProfile, DropAfter, Faults } from './profile.ts'
import { DEFAULT_PROFILE, withOverrides } from './profile.ts'



export interface ProfileLoadResult {
  /** Present when the file has no errors. */
  profile?: DeviceProfile
  diagnostics: Diagnostic[]
  /** The text of the file, for code frames. */
  sources: Map<string, string>
}

/**
 * Reads a device profile (YAML, schema/device.schema.json) and returns it merged over the defaults,
 * or every problem found, each at its `file:line:col`, as scenarios report theirs. Never throws for
 * a user's mistake.
 */
export async function loadDeviceProfile(file: string): Promise<ProfileLoadResult> {
  const sources = new Map<string, string>()
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    return { diagnostics: [error('file-unreadable', `cannot read device profile ${file}: ${describeFsError(e)}`)], sources }
  }
  sources.set(file, text)
  return { ...parseDeviceProfile(file, text), sources }
}

/** A load's diagnostics with code frames, for the command line. */
export function renderProfileDiagnostics(result: ProfileLoadResult, options: { color?: boolean } = {}): string {
  return result.diagnostics.map((d) => renderDiagnostic(d, (f) => result.sources.get(f), options)).join('\n\n')
}

/**
 * Loads each profile and renders the problems of those that have errors, for the command line;
 * undefined when every profile loads.
 */
export async function describeProfileProblems(files: readonly string[], options: { color?: boolean } = {}): Promise<string | undefined> {
  const out: string[] = []
  let errors = 0
  for (const file of new Set(files)) {
    const result = await loadDeviceProfile(file)
    if (result.profile) continue
    out.push(renderProfileDiagnostics(result, options))
    errors += result.diagnostics.filter((d) => d.severity === 'error').length
  }
  if (errors === 0) return undefined
  return `${out.join('\n\n')}\n\n${errors} error${errors === 1 ? '' : 's'} in the device profile; nothing was run.\n`
}

/**
 * The part of loadDeviceProfile after reading the file; PEM files it names are still read from disk.
 * A file that is no profile at all (`simulator.profile: /etc/passwd`, a key file) is said to be none,
 * and none of it is quoted: the messages of a run must not become a way to read any file. A file
 * named `.yaml`/`.yml` is taken for a profile, and its YAML mistakes are shown where they are.
 */
export function parseDeviceProfile(file: string, text: string): Omit<ProfileLoadResult, 'sources'> {
  const source = new YamlSource(file, text)
  const named = /\.ya?ml$/i.test(file)
  if (source.diagnostics.length > 0) return { diagnostics: named ? source.diagnostics : [notAProfile(file, 'is not YAML')] }
  const value: unknown = source.doc.toJS() ?? {}
  if (typeof value !== 'object' || Array.isArray(value)) return { diagnostics: [notAProfile(file, 'is not a map of device settings')] }
  const schema = checkSchema(source, value, { validate: schemaValidator('device'), subject: 'the device profile' })
  const reader = new ProfileReader(source, dirname(resolve(file)))
  if (hasErrors(schema.diagnostics)) {
    // Still look for missing PEM files, so that one pass reports every mistake.
    reader.checkPkiFiles(value)
    return { diagnostics: sortBySpan([...schema.diagnostics, ...reader.diagnostics]) }
  }
  const overrides = reader.read(value as Raw)
  if (hasErrors(reader.diagnostics)) return { diagnostics: sortBySpan(reader.diagnostics) }
  return { profile: withOverrides(DEFAULT_PROFILE, overrides), diagnostics: reader.diagnostics }
}

type Raw = Record<string, unknown>

function notAProfile(file: string, why: string): Diagnostic {
  return error('bad-value', `the device profile ${file} ${why}: a profile is a YAML map (schema/device.schema.json); the file's content is not shown`)
}

/** Turns a schema-valid document into profile settings: durations to ms, paths resolved and checked. */
class ProfileReader {
  readonly diagnostics: Diagnostic[] = []
  private readonly source: YamlSource
  private readonly dir: string

  constructor(source: YamlSource, dir: string) {
    this.source = source
    this.dir = dir
  }

  read(raw: Raw): DeepPartial<DeviceProfile> {
    const out: DeepPartial<DeviceProfile> = {}
    const firmware = raw.firmware as Raw | undefined
    if (firmware?.gmr !== undefined) out.gmr = firmware.gmr as string[]
    if (firmware?.bootTime !== undefined) out.bootTimeMs = this.ms(firmware.bootTime, ['firmware', 'bootTime'])
    if (raw.mac !== undefined) out.mac = raw.mac as string
    if (raw.accessPoints !== undefined) out.accessPoints = (raw.accessPoints as Raw[]).map((ap, i) => this.accessPoint(ap, i))
    const wifi = raw.wifi as Raw | undefined
    if (wifi?.scanTime !== undefined) out.wifi = { scanTimeMs: this.ms(wifi.scanTime, ['wifi', 'scanTime']) }
    const network = raw.network as Raw | undefined
    if (network) {
      out.network = {}
      if (network.hosts !== undefined) out.network.hosts = network.hosts as Record<string, string>
      if (network.connectTimeout !== undefined) out.network.connectTimeoutMs = this.ms(network.connectTimeout, ['network', 'connectTimeout'])
    }
    if (raw.sntp !== undefined) out.sntp = this.sntp(raw.sntp as Raw)
    const ws = raw.websocket as Raw | undefined
    if (ws) {
      out.websocket = {}
      if (ws.reconnectDelay !== undefined) out.websocket.reconnectDelayMs = this.ms(ws.reconnectDelay, ['websocket', 'reconnectDelay'])
      if (ws.networkTimeout !== undefined) out.websocket.networkTimeoutMs = this.ms(ws.networkTimeout, ['websocket', 'networkTimeout'])
    }
    const mqtt = raw.mqtt as Raw | undefined
    if (mqtt?.reconnectDelay !== undefined) out.mqtt = { reconnectDelayMs: this.ms(mqtt.reconnectDelay, ['mqtt', 'reconnectDelay']) }
    const pki = raw.pki as Raw | undefined
    if (pki) {
      out.pki = {}
      if (pki.clientCerts !== undefined) out.pki.clientCerts = this.pemFiles(pki.clientCerts as string[], ['pki', 'clientCerts'], 'CERTIFICATE')
      if (pki.clientKeys !== undefined) out.pki.clientKeys = this.pemFiles(pki.clientKeys as string[], ['pki', 'clientKeys'], 'PRIVATE KEY')
      if (pki.caCerts !== undefined) out.pki.caCerts = this.pemFiles(pki.caCerts as string[], ['pki', 'caCerts'], 'CERTIFICATE')
      if (pki.serverCerts !== undefined) out.pki.serverCerts = this.pemFiles(pki.serverCerts as string[], ['pki', 'serverCerts'], 'CERTIFICATE')
      if (pki.serverKeys !== undefined) out.pki.serverKeys = this.pemFiles(pki.serverKeys as string[], ['pki', 'serverKeys'], 'PRIVATE KEY')
      if (pki.serverCas !== undefined) out.pki.serverCas = this.pemFiles(pki.serverCas as string[], ['pki', 'serverCas'], 'CERTIFICATE')
    }
    if (raw.faults !== undefined) out.faults = this.faults(raw.faults as Raw)
    return out
  }

  private accessPoint(raw: Raw, i: number): AccessPoint {
    const base = DEFAULT_PROFILE.accessPoints[0]!
    const password = (raw.password as string | undefined) ?? ''
    return {
      ssid: raw.ssid as string,
      password,
      joinDelayMs: raw.joinDelay !== undefined ? this.ms(raw.joinDelay, ['accessPoints', i, 'joinDelay']) : base.joinDelayMs,
      ip: (raw.ip as string | undefined) ?? base.ip,
      gateway: (raw.gateway as string | undefined) ?? base.gateway,
      netmask: (raw.netmask as string | undefined) ?? base.netmask,
      bssid: ((raw.bssid as string | undefined) ?? base.bssid).toLowerCase(),
      channel: (raw.channel as number | undefined) ?? base.channel,
      rssi: (raw.rssi as number | undefined) ?? base.rssi,
      dhcp: (raw.dhcp as boolean | undefined) ?? true,
      rejects: (raw.rejects as boolean | undefined) ?? false,
      ecn: (raw.ecn as number | undefined) ?? (password === '' ? 0 : 3),
    }
  }

  private sntp(raw: Raw): DeepPartial<DeviceProfile['sntp']> {
    const out: DeepPartial<DeviceProfile['sntp']> = {}
    if (raw.time !== undefined) {
      if (raw.time === 'host') out.time = 'host'
      else {
        const at = Date.parse(raw.time as string)
        if (Number.isNaN(at)) this.diagnostics.push(error('bad-value', `\`sntp.time\` is not a valid moment`, this.source.spanAt(['sntp', 'time'])))
        else out.time = at
      }
    }
    if (raw.syncDelay !== undefined) out.syncDelayMs = this.ms(raw.syncDelay, ['sntp', 'syncDelay'])
    if (raw.reachable !== undefined) out.reachable = raw.reachable as boolean
    return out
  }

  private faults(raw: Raw): DeepPartial<Faults> {
    const out: DeepPartial<Faults> = {}
    if (raw.seed !== undefined) out.seed = raw.seed as number
    if (raw.splitWrites !== undefined) out.splitWrites = raw.splitWrites as Faults['splitWrites']
    if (raw.baudRate !== undefined) out.baudRate = raw.baudRate as number
    if (raw.commandLatency !== undefined) out.commandLatencyMs = this.ms(raw.commandLatency, ['faults', 'commandLatency'])
    if (raw.bootGarbage !== undefined) out.bootGarbageBytes = raw.bootGarbage as number
    if (raw.rebootAfterCommands !== undefined) out.rebootAfterCommands = raw.rebootAfterCommands as number
    if (raw.dropWebSocket !== undefined) out.dropWebSocket = this.dropAfter(raw.dropWebSocket as Raw, 'dropWebSocket')
    if (raw.closeSockets !== undefined) out.closeSockets = this.dropAfter(raw.closeSockets as Raw, 'closeSockets')
    if (raw.dropMqtt !== undefined) out.dropMqtt = this.dropAfter(raw.dropMqtt as Raw, 'dropMqtt')
    if (raw.splitRecords !== undefined) out.splitRecords = { gapMs: this.ms((raw.splitRecords as Raw).gap, ['faults', 'splitRecords', 'gap']) }
    if (raw.interleaveUrcs !== undefined) out.interleaveUrcs = { holdMs: this.ms((raw.interleaveUrcs as Raw).hold, ['faults', 'interleaveUrcs', 'hold']) }
    return out
  }

  private dropAfter(raw: Raw, key: string): DropAfter {
    return {
      ...(raw.afterMessages !== undefined ? { afterMessages: raw.afterMessages as number } : {}),
      ...(raw.after !== undefined ? { afterMs: this.ms(raw.after, ['faults', key, 'after']) } : {}),
    }
  }

  /** The PEM files of whichever `pki` lists are lists of strings, in a document the schema refused. */
  checkPkiFiles(value: unknown): void {
    const pki = (value as Raw | null)?.pki as Raw | undefined
    if (typeof pki !== 'object' || pki === null) return
    const lists = [
      ['clientCerts', 'CERTIFICATE'],
      ['clientKeys', 'PRIVATE KEY'],
      ['caCerts', 'CERTIFICATE'],
      ['serverCerts', 'CERTIFICATE'],
      ['serverKeys', 'PRIVATE KEY'],
      ['serverCas', 'CERTIFICATE'],
    ] as const
    for (const [key, kind] of lists) {
      const list = pki[key]
      if (Array.isArray(list) && list.every((p) => typeof p === 'string' && p.length > 0)) this.pemFiles(list as string[], ['pki', key], kind)
    }
  }

  /** The schema already checked the form; a delay longer than a timer can wait is reported here. */
  private ms(value: unknown, at: Path): number {
    const checked = checkDuration(value)
    if ('ms' in checked) return checked.ms
    this.diagnostics.push(error('bad-duration', checked.problem, this.source.spanAt(at), checked.hint))
    return 0
  }

  /** Absolute paths of PEM files, each checked now so that a wrong path is reported where it is written. */
  private pemFiles(paths: string[], at: Path, kind: 'CERTIFICATE' | 'PRIVATE KEY'): string[] {
    return paths.map((p, i) => {
      const absolute = resolve(this.dir, p)
      let text: string | undefined
      try {
        text = readFileSync(absolute, 'utf8')
      } catch (e) {
        this.diagnostics.push(error('file-unreadable', `cannot read ${p}: ${describeFsError(e)}`, this.source.spanAt([...at, i]), `paths are relative to the profile (${this.dir})`))
      }
      if (text !== undefined && !new RegExp(`-----BEGIN [A-Z ]*${kind}-----`).test(text)) {
        this.diagnostics.push(error('bad-value', `${p} holds no PEM ${kind.toLowerCase()}`, this.source.spanAt([...at, i])))
      }
      return absolute
    })
  }
}

function sortBySpan(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => (a.span?.start.line ?? 0) - (b.span?.start.line ?? 0) || (a.span?.start.col ?? 0) - (b.span?.start.col ?? 0))
}
