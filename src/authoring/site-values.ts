import type { DraftExpectation, DraftScenario } from './draft.ts'
import { joinAtCommand, parseAtCommand } from './at-params.ts'

/**
 * Values that held only where an example was written (the writer's router, the PC's address, its
 * server's port, the time on the day) turned into what a scenario can run anywhere with: variables
 * with the environment first, `${host.ip}`, and regexes for what the device reports.
 */
export interface SiteOptions {
  /** Whether the password seen may stay in the file as the fallback of ${env.WIFI_PASSWORD}. */
  keepPassword: (password: string) => boolean
  /** Addresses that are this PC's: they become ${host.ip}. */
  hostIps: Set<string>
  /**
   * Private addresses (and loopback) that a command connects to are this PC's too (the doc's
   * servers run on the PC); off for a log, whose replay knows no host address.
   */
  connectTargetsAreHost: boolean
}

/** Commands whose address parameter is the server the device connects to. */
const CONNECTS = new Set(['AT+CIPSTART', 'AT+CIPSTARTEX', 'AT+WSOPEN', 'AT+MQTTCONN', 'AT+HTTPCLIENT', 'AT+HTTPCGET', 'AT+HTTPCPOST', 'AT+HTTPCPUT', 'AT+HTTPURLCFG', 'AT+CIPPING'])
const IPV4 = /\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}\b/g
const PRIVATE = /^(?:10\.|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.|127\.)/

/** Wi-Fi credentials: which parameters, which variables, which environment variables. */
const CREDENTIALS: Record<string, { ssid: [number, string, string?]; password: [number, string, string?] }> = {
  'AT+CWJAP': { ssid: [0, 'ssid', 'WIFI_SSID'], password: [1, 'password', 'WIFI_PASSWORD'] },
  'AT+CWSAP': { ssid: [0, 'ap_ssid'], password: [1, 'ap_password', 'WIFI_AP_PASSWORD'] },
}

export class SiteValues {
  readonly vars: DraftScenario['vars'] = []
  readonly secrets: string[] = []
  /**
   * The forms each secret had where it was seen, to mask it wherever else it appears: its value and,
   * when ESP-AT escapes (`\,` `\"` `\\`) made them differ, the bytes as they went over the wire.
   */
  readonly seenSecrets = new Map<string, string[]>()
  /** Notes for people: what was turned into a variable, or needs their value. */
  readonly notes: string[] = []
  private readonly ports = new Map<string, string>()
  private readonly options: SiteOptions

  constructor(options: SiteOptions) {
    this.options = options
  }

  /** Declares a variable once (the first value wins); returns its name. */
  declare(name: string, value: string, comment?: string): string {
    if (!this.vars.some((v) => v.name === name)) this.vars.push({ name, value, ...(comment ? { comment } : {}) })
    return name
  }

  /** The variable that holds a port (`port`, then `port2`...), declared with the value seen. */
  portVar(port: string): string {
    let name = this.ports.get(port)
    if (!name) {
      name = this.ports.size === 0 ? 'port' : `port${this.ports.size + 1}`
      this.ports.set(port, name)
      this.declare(name, port)
    }
    return name
  }

  /** An address the page says is the PC's (its server's `host = ...`). */
  hostIpsAdd(ip: string): void {
    this.options.hostIps.add(ip)
  }

  isHostIp(ip: string): boolean {
    return this.options.hostIps.has(ip)
  }

  /** A command with credentials, the PC's address and its ports as variables. */
  command(text: string): string {
    const command = parseAtCommand(text)
    let out = literal(text)
    if (command && command.op === '=') {
      const creds = CREDENTIALS[command.name]
      const connects = CONNECTS.has(command.name)
      if (creds || connects) {
        const params = command.params.map((p) => literal(p.raw))
        if (creds) {
          for (const kind of ['ssid', 'password'] as const) {
            const [index, name, env] = creds[kind]
            const p = command.params[index]
            if (!p?.quoted || p.value === '') continue
            params[index] = `"\${${this.credential(kind, name, p.value, env, wireForm(p.raw))}}"`
          }
        }
        if (connects) this.hostParams(command.params.map((p) => p.raw), params)
        out = joinAtCommand(command, params)
      }
    }
    return out
  }

  private credential(kind: 'ssid' | 'password', name: string, value: string, env: string | undefined, wire: string): string {
    const fallback = kind === 'ssid' || this.options.keepPassword(value)
    const template = env ? `\${env.${env}${fallback ? `:-${literal(value)}` : ''}}` : literal(value)
    this.declare(name, template)
    if (kind === 'password') {
      if (!this.secrets.includes(name)) this.secrets.push(name)
      if (!this.seenSecrets.has(name)) this.seenSecrets.set(name, [...new Set([value, wire])].filter((f) => f !== ''))
      if (env && !fallback && !this.notes.some((n) => n.includes(env))) this.notes.push(`the Wi-Fi password is not written to the file: give it as ${env} (environment or .env)`)
    }
    return name
  }

  /** The PC's address in a command that connects to it, and the port after it, as variables. */
  private hostParams(raws: string[], params: string[]): void {
    raws.forEach((raw, i) => {
      for (const ip of raw.match(IPV4) ?? []) {
        const host = this.isHostIp(ip) || (this.options.connectTargetsAreHost && PRIVATE.test(ip))
        if (!host) continue
        this.options.hostIps.add(ip)
        // `ws://IP:PORT/...` in a URL, or the port as the parameter after the address.
        let p = params[i]!.split(ip).join('${host.ip}')
        p = p.replace(/\$\{host\.ip\}:(\d+)/g, (_m, port: string) => `\${host.ip}:\${${this.portVar(port)}}`)
        params[i] = p
        const next = raws[i + 1]
        if (next !== undefined && /^\d{2,5}$/.test(next) && !raw.includes(`${ip}:`)) params[i + 1] = `\${${this.portVar(next)}}`
      }
    })
  }

  /**
   * What a device line becomes: the line itself, or a regex where it reports a time, an IPv4
   * address or a MAC address, which differ on every board and every day. `clockSet` says whether
   * it reports a time after SNTP set the clock (any year but 1970), so the caller can poll for it.
   */
  expectation(line: string): { expectation: DraftExpectation; clockSet?: boolean } {
    let clockSet: boolean | undefined
    const pieces: string[] = []
    let rest = line
    let changed = false
    const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
      [
        /\b[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (\d{4})\b/,
        (m) => {
          clockSet = m[1] !== '1970'
          return `[A-Z][a-z]{2} [A-Z][a-z]{2} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d ${clockSet ? '(?!1970)\\d{4}' : '1970'}`
        },
      ],
      [/\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}\b/, () => '[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}'],
      // An address is quoted or follows a separator; `AT version:3.3.0.0` is a version, not an address.
      [new RegExp(`(?<=["',]|(?<!version):)${IPV4.source}`), () => '\\d{1,3}(?:\\.\\d{1,3}){3}'],
    ]
    for (;;) {
      let best: { m: RegExpExecArray; make: (m: RegExpExecArray) => string } | undefined
      for (const [re, make] of patterns) {
        const m = re.exec(rest)
        if (m && (!best || m.index < best.m.index)) best = { m, make }
      }
      if (!best) break
      changed = true
      pieces.push(escapeRegex(rest.slice(0, best.m.index)), best.make(best.m))
      rest = rest.slice(best.m.index + best.m[0].length)
    }
    if (!changed) return { expectation: literal(line) }
    pieces.push(escapeRegex(rest))
    return { expectation: `/^${pieces.join('')}$/`, ...(clockSet !== undefined ? { clockSet } : {}) }
  }
}

/** Text that goes into a scenario as it is: a `${` in it must not start a variable. */
/** A quoted parameter's bytes between its quotes, escapes as they were written. */
function wireForm(raw: string): string {
  const end = raw.lastIndexOf('"')
  return raw.startsWith('"') && end > 0 ? raw.slice(1, end) : raw
}

export function literal(text: string): string {
  return text.replace(/\$\{/g, '$$$${') // `$$` is one `$` in a replacement
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
}
