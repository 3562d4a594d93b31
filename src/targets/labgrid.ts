import { readFileSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import { LinkOpenError, openRfc2217Port, openTcpPort } from '../link/open-link.ts'
import type { OpenLink } from '../link/stream-link.ts'
import type { LabgridTarget, SerialResource } from './labgrid-env.ts'
import { LabgridEnvError, readLabgridEnv, serialOf } from './labgrid-env.ts'
import { LabgridCommandError } from './labgrid-error.ts'
import type { LabgridClient } from './labgrid-client.ts'
import type { Lease } from './leases.ts'
import { lineSettings, serialTarget } from './serial.ts'
import type { PortSettings, Target, TargetKind } from './target.ts'

const DEFAULT_RESERVE_TIMEOUT_MS = 10 * 60_000

/**
 * `--port labgrid[:NAME[/RESOURCE]]`: a board of a labgrid lab.
 *
 * - With an environment file (`--labgrid-env FILE`, or `LG_ENV` for a bare `labgrid`), NAME is a
 *   target of it (default: its only one, else `main`): a `NetworkSerialPort` is opened as it says
 *   (`rfc2217://` or `tcp://` for `protocol: raw`), offline, with no coordinator; a `RawSerialPort`
 *   is a local port; a `RemotePlace` is the place of that name, as below.
 * - Else NAME is a place of the coordinator (default: `LG_PLACE`), or, with `--labgrid-reserve
 *   tag=value`, the place a reservation gets: `labgrid-client` acquires it, prints its resources
 *   (`env`), and releases it when the run ends, whichever way it ends.
 *
 * RESOURCE names the serial resource when a target has more than one.
 */
export const labgridKind: TargetKind = {
  name: 'labgrid',
  form: 'labgrid[:PLACE[/RESOURCE]]',
  parse(given, settings) {
    const m = /^labgrid(?::([^/]*))?(?:\/(.+))?$/.exec(given)
    if (!m) return undefined
    const name = m[1] || undefined
    const resource = m[2]
    const env = settings.env ?? {}
    const lg = settings.labgrid ?? {}
    const reserve = lg.reserve ?? []
    const fromLgEnv = name === undefined && !env.LG_PLACE && reserve.length === 0 && env.LG_ENV ? resolve(settings.cwd, env.LG_ENV) : undefined
    const envFile = lg.envFile ?? fromLgEnv
    if (envFile) {
      if (reserve.length > 0) throw new LinkOpenError('--labgrid-reserve lets the coordinator choose a place; an environment file (--labgrid-env) names its own: give one of them')
      const target = envTarget(envFile, name, settings)
      if (target.serial.length === 0 && target.remotePlace) return placeTarget(given, { place: target.remotePlace, resource, envFile }, settings)
      let serial: SerialResource
      try {
        serial = serialOf(target, resource, `${basename(envFile)}: target \`${target.name}\``)
      } catch (e) {
        if (e instanceof LabgridEnvError) throw new LinkOpenError(e.message)
        throw e
      }
      return serialResourceTarget(serial, given, settings, `labgrid target ${target.name} of ${basename(envFile)}`)
    }
    if (reserve.length > 0) {
      if (name !== undefined) throw new LinkOpenError(`--port labgrid:${name} names a place; --labgrid-reserve lets the coordinator choose one: give one of them (--port labgrid with --labgrid-reserve)`)
      return placeTarget(given, { reserve, resource }, settings)
    }
    const place = name ?? env.LG_PLACE
    if (!place) {
      throw new LinkOpenError('--port labgrid needs a place: --port labgrid:PLACE, LG_PLACE, --labgrid-reserve tag=value, or an environment file (--labgrid-env FILE, LG_ENV)')
    }
    return placeTarget(given, { place, resource }, settings)
  },
}

function envTarget(file: string, name: string | undefined, settings: PortSettings): LabgridTarget {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new LinkOpenError(`cannot read the labgrid environment file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`)
  }
  let targets: LabgridTarget[]
  try {
    targets = readLabgridEnv(text, basename(file), { base: dirname(file), env: settings.env ?? {} })
  } catch (e) {
    if (e instanceof LabgridEnvError) throw new LinkOpenError(e.message)
    throw e
  }
  const names = targets.map((t) => t.name)
  const chosen = name !== undefined ? targets.find((t) => t.name === name) : targets.length === 1 ? targets[0] : targets.find((t) => t.name === 'main')
  if (chosen) return chosen
  throw new LinkOpenError(
    name !== undefined
      ? `${basename(file)} has no target \`${name}\` (it has ${names.join(', ')})`
      : `${basename(file)} has ${names.length} targets and none is \`main\`: name one with --port labgrid:${names[0]}`,
  )
}

/** A serial resource as a target: the one labgrid's SerialDriver would open, at its speed unless --baud says otherwise. */
function serialResourceTarget(resource: SerialResource, given: string, settings: PortSettings, where: string): Target {
  const baudRate = settings.cliBaud ?? resource.speed
  if (resource.cls === 'RawSerialPort') {
    const local = serialTarget(resource.port, { ...settings, baudRate }, given)
    return { ...local, description: `${local.description} (${where})` }
  }
  const description = describeNetworkPort(resource, baudRate, where)
  return {
    kind: 'labgrid',
    description,
    hostIp: 'lan',
    onSimulator: false,
    open: () => openNetworkPort(resource, baudRate, description, settings),
    recordedPort: (asGiven) => lineSettings(asGiven ?? given, baudRate, settings.line),
  }
}

function describeNetworkPort(r: Extract<SerialResource, { cls: 'NetworkSerialPort' }>, baudRate: number, where: string): string {
  const at = `${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`
  return r.protocol === 'raw' ? `tcp://${at} (${where})` : `rfc2217://${at} at ${baudRate} baud (${where})`
}

function openNetworkPort(r: Extract<SerialResource, { cls: 'NetworkSerialPort' }>, baudRate: number, description: string, settings: PortSettings): Promise<OpenLink> {
  const options = settings.banner ? { banner: settings.banner } : {}
  return r.protocol === 'raw' ? openTcpPort(r.host, r.port, description, options) : openRfc2217Port(r.host, r.port, { baudRate, ...settings.line }, description, options)
}

interface PlaceWanted {
  /** The place (or `+TOKEN`); none with `reserve`. */
  place?: string
  reserve?: string[]
  resource: string | undefined
  /** The environment file the place came from (`RemotePlace`), for the client's `-c`. */
  envFile?: string
}

interface HeldPlace {
  place: string
  serial: SerialResource
}

/** A place of the coordinator: acquired when first opened, held for the run (or for the link, without a run's leases). */
function placeTarget(given: string, wanted: PlaceWanted, settings: PortSettings): Target {
  const timeoutMs = settings.labgrid?.timeoutMs ?? DEFAULT_RESERVE_TIMEOUT_MS
  const description = wanted.reserve
    ? `a labgrid place reserved with ${wanted.reserve.join(' ')} (waiting up to ${Math.round(timeoutMs / 60_000) || '<1'} min)`
    : `labgrid place ${wanted.place}`
  return {
    kind: 'labgrid',
    description,
    hostIp: 'lan',
    onSimulator: false,
    async open() {
      const { LabgridClient } = await import('./labgrid-client.ts')
      const client = new LabgridClient(settings.env ?? {}, wanted.envFile)
      const take = () => takePlace(client, wanted, timeoutMs, settings)
      if (settings.leases) {
        const held = await settings.leases.hold(given, take)
        return openHeld(held, settings)
      }
      // A library caller without a run's leases: the place is held as long as the link is open.
      const lease = await take()
      let link: OpenLink
      try {
        link = await openHeld(lease.value, settings)
      } catch (e) {
        await lease.release().catch(() => {})
        throw e
      }
      return releasingOnClose(link, lease)
    },
    recordedPort: (asGiven) => ({ port: asGiven ?? given }),
  }
}

function openHeld(held: HeldPlace, settings: PortSettings): Promise<OpenLink> {
  const where = `labgrid place ${held.place}`
  const serial = held.serial
  if (serial.cls === 'RawSerialPort') return serialTarget(serial.port, { ...settings, baudRate: settings.cliBaud ?? serial.speed }).open()
  const baudRate = settings.cliBaud ?? serial.speed
  return openNetworkPort(serial, baudRate, describeNetworkPort(serial, baudRate, where), settings)
}

/**
 * Reserves (if asked), acquires and reads the place; whatever was taken when a later step fails, or
 * Ctrl-C comes, is given back before the error goes on.
 */
async function takePlace(client: LabgridClient, wanted: PlaceWanted, timeoutMs: number, settings: PortSettings): Promise<Lease<HeldPlace>> {
  const { signal } = settings
  let token: string | undefined
  let asked: string | undefined
  let acquired: string | undefined
  const giveBack = async (error: unknown) => {
    // An acquire cut short (Ctrl-C, timeout) may still have gone through; one the coordinator refused
    // did not, and the place may be another job's: it is left alone.
    const place = acquired ?? (error instanceof LabgridCommandError && error.cutShort ? asked : undefined)
    if (place) await client.release(place).catch(() => {})
    if (token) await client.cancelReservation(token).catch(() => {})
  }
  try {
    if (wanted.reserve) token = await client.reserve(wanted.reserve, timeoutMs, signal)
    asked = token ? `+${token}` : wanted.place!
    acquired = await client.acquire(asked, signal)
    const text = await client.placeEnv(acquired, signal)
    const targets = readLabgridEnv(text, `labgrid-client -p ${acquired} env`, { base: settings.cwd, env: settings.env ?? {} })
    const serial = serialOf(targets[0]!, wanted.resource, `labgrid place ${acquired}`)
    const place = acquired
    return {
      value: { place, serial },
      release: async () => {
        try {
          await client.release(place)
        } catch (e) {
          throw new Error(`labgrid: could not release place ${place} (${(e as Error).message}); release it with \`labgrid-client -p ${place} release\``)
        }
        if (token) await client.cancelReservation(token).catch(() => {})
        return `labgrid: released place ${place}`
      },
    }
  } catch (e) {
    await giveBack(e)
    if (e instanceof LabgridEnvError) throw new LinkOpenError(e.message)
    throw e
  }
}

function releasingOnClose(link: OpenLink, lease: Lease<HeldPlace>): OpenLink {
  return {
    description: link.description,
    ...(link.banner ? { banner: link.banner } : {}),
    ...(link.setLines ? { setLines: (lines: { dtr?: boolean; rts?: boolean }) => link.setLines!(lines) } : {}),
    write: (bytes) => link.write(bytes),
    onData: (listener) => link.onData(listener),
    onClose: (listener) => link.onClose(listener),
    close: async () => {
      try {
        await link.close()
      } finally {
        await lease.release().catch(() => {})
      }
    },
  }
}
