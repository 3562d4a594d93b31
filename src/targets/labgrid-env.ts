import { parse, YAMLError } from 'yaml'
import type { ScalarTag } from 'yaml'

/**
 * A labgrid environment file (labgrid-device-config(5)), as far as a serial console goes: its
 * targets, and in each the resources that say where the console is. Read as labgrid reads it:
 * `resources` as a map (class: args) or a list (`- Class: args`), a `name` to tell two of a class
 * apart, and `!template` strings with `$LG_*` and `$BASE` filled in. The same shape is what
 * `labgrid-client -p PLACE env` prints for an acquired place.
 */
export type SerialResource =
  /** Published by an exporter through ser2net: RFC 2217 (labgrid's default) or raw TCP. */
  | { cls: 'NetworkSerialPort'; name: string | undefined; host: string; port: number; speed: number; protocol: 'rfc2217' | 'raw' }
  /** A port on this machine. */
  | { cls: 'RawSerialPort'; name: string | undefined; port: string; speed: number }

export interface LabgridTarget {
  name: string
  serial: SerialResource[]
  /** `RemotePlace: {name: ...}`: the target is a place of a coordinator. */
  remotePlace?: string
}

export class LabgridEnvError extends Error {}

/** The targets of an environment file's text; `source` names it in messages, `base` is its folder. */
export function readLabgridEnv(text: string, source: string, vars: { base: string; env: Readonly<Record<string, string | undefined>> }): LabgridTarget[] {
  const substitutions = new Map<string, string>([['BASE', vars.base]])
  for (const [k, v] of Object.entries(vars.env)) if (k.startsWith('LG_') && v !== undefined) substitutions.set(k, v)
  const template: ScalarTag = {
    tag: '!template',
    resolve: (value) => fillTemplate(value, substitutions, source),
  }
  let data: unknown
  try {
    data = parse(text, { customTags: [template] })
  } catch (e) {
    if (e instanceof YAMLError || e instanceof LabgridEnvError) throw new LabgridEnvError(`${source}: ${e.message.split('\n')[0]}`)
    throw e
  }
  const targets = isMap(data) ? data.targets : undefined
  if (!isMap(targets) || Object.keys(targets).length === 0) throw new LabgridEnvError(`${source}: no \`targets:\` (a labgrid environment file has \`targets: {NAME: {resources: ...}}\`)`)
  return Object.entries(targets).map(([name, config]) => targetOf(name, config, source))
}

function targetOf(name: string, config: unknown, source: string): LabgridTarget {
  const where = `${source}: target \`${name}\``
  const resources = isMap(config) ? namedList(config.resources ?? {}, where) : []
  const target: LabgridTarget = { name, serial: [] }
  for (const r of resources) {
    if (r.cls === 'RemotePlace') {
      if (typeof r.args.name !== 'string' && typeof r.name !== 'string') throw new LabgridEnvError(`${where}: RemotePlace needs a \`name\` (the place)`)
      target.remotePlace = String(r.name ?? r.args.name)
    }
    if (r.cls === 'NetworkSerialPort') {
      const host = r.args.host
      const port = integer(r.args.port)
      const speed = r.args.speed === undefined ? 115200 : integer(r.args.speed)
      const protocol = r.args.protocol ?? 'rfc2217'
      if (typeof host !== 'string' || host === '') throw new LabgridEnvError(`${where}: NetworkSerialPort needs a \`host\``)
      if (port === undefined || port < 1 || port > 65535) throw new LabgridEnvError(`${where}: NetworkSerialPort needs a \`port\` number, got ${JSON.stringify(r.args.port)}`)
      if (speed === undefined || speed <= 0) throw new LabgridEnvError(`${where}: NetworkSerialPort's \`speed\` must be a baud rate, got ${JSON.stringify(r.args.speed)}`)
      if (protocol !== 'rfc2217' && protocol !== 'raw') throw new LabgridEnvError(`${where}: NetworkSerialPort's \`protocol\` is rfc2217 or raw, got ${JSON.stringify(protocol)}`)
      target.serial.push({ cls: 'NetworkSerialPort', name: r.name, host, port, speed, protocol })
    }
    if (r.cls === 'RawSerialPort') {
      const port = r.args.port
      const speed = r.args.speed === undefined ? 115200 : integer(r.args.speed)
      if (typeof port !== 'string' || port === '') throw new LabgridEnvError(`${where}: RawSerialPort needs a \`port\` (a device such as /dev/ttyUSB0)`)
      if (speed === undefined || speed <= 0) throw new LabgridEnvError(`${where}: RawSerialPort's \`speed\` must be a baud rate, got ${JSON.stringify(r.args.speed)}`)
      target.serial.push({ cls: 'RawSerialPort', name: r.name, port, speed })
    }
  }
  return target
}

/**
 * The serial console of a target: the one named `resource` (its `name`, else its class), or the
 * only one. Several without a name to choose by is an error that lists them.
 */
export function serialOf(target: LabgridTarget, resource: string | undefined, where: string): SerialResource {
  const label = (r: SerialResource) => r.name ?? r.cls
  if (resource !== undefined) {
    const found = target.serial.find((r) => label(r) === resource)
    if (found) return found
    throw new LabgridEnvError(`${where} has no serial resource \`${resource}\`${target.serial.length ? ` (it has ${target.serial.map(label).join(', ')})` : ''}`)
  }
  if (target.serial.length === 1) return target.serial[0]!
  if (target.serial.length === 0) throw new LabgridEnvError(`${where} has no NetworkSerialPort or RawSerialPort resource`)
  throw new LabgridEnvError(`${where} has ${target.serial.length} serial resources (${target.serial.map(label).join(', ')}): name one, e.g. --port labgrid:${target.name}/${label(target.serial[0]!)}`)
}

interface Item {
  cls: string
  name: string | undefined
  args: Record<string, unknown>
}

/** labgrid's `_convert_to_named_list`: the map form and the list form to one list. */
function namedList(data: unknown, where: string): Item[] {
  const items: Item[] = []
  const add = (cls: string, value: unknown) => {
    const args = isMap(value) ? { ...value } : {}
    const realCls = typeof args.cls === 'string' ? args.cls : cls
    const name = typeof args.name === 'string' ? args.name : undefined
    delete args.cls
    delete args.name
    items.push({ cls: realCls, name, args })
  }
  if (Array.isArray(data)) {
    for (const entry of data) {
      if (!isMap(entry) || Object.keys(entry).length === 0) throw new LabgridEnvError(`${where}: each entry of \`resources\` is a map such as \`- NetworkSerialPort: {host: ..., port: ...}\``)
      if ('cls' in entry) add(String(entry.cls), entry)
      else if (Object.keys(entry).length === 1) {
        const [cls, value] = Object.entries(entry)[0]!
        add(cls, value)
      } else throw new LabgridEnvError(`${where}: a \`resources\` entry with several keys needs a \`cls\``)
    }
  } else if (isMap(data)) {
    for (const [cls, value] of Object.entries(data)) add(cls, value)
  } else throw new LabgridEnvError(`${where}: \`resources\` is a map or a list`)
  return items
}

/** Python's string.Template, as labgrid's `!template` uses it: `$NAME`, `${NAME}`, `$$`. */
function fillTemplate(value: string, substitutions: ReadonlyMap<string, string>, source: string): string {
  return value.replace(/\$(?:\$|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})/g, (_whole, bare?: string, braced?: string) => {
    const name = bare ?? braced
    if (name === undefined) return '$'
    const v = substitutions.get(name)
    if (v === undefined) throw new LabgridEnvError(`${source} refers to unknown variable '${name}' (labgrid fills in $BASE and the LG_* environment variables)`)
    return v
  })
}

function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return undefined
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
