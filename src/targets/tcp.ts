import { openRfc2217Port, openTcpPort, openTelnetPort } from '../link/open-link.ts'
import { lineSettings } from './serial.ts'
import type { PortSettings, Target, TargetKind } from './target.ts'

/** `tcp://HOST:PORT`, `telnet://HOST:PORT`, `rfc2217://HOST:PORT`, with an IPv6 host in brackets. */
function remote(scheme: string, port: string): { host: string; port: number } | undefined {
  const m = new RegExp(`^${scheme}://(\\[[^\\]]+\\]|[^:/]+):(\\d+)/?$`).exec(port)
  return m ? { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) } : undefined
}

/** A kind for `<scheme>://HOST:PORT`, the target made by `make`. */
function remoteKind(name: string, make: (host: string, port: number, settings: PortSettings, given: string) => Target): TargetKind {
  return {
    name,
    form: `${name}://HOST:PORT`,
    parse(given, settings) {
      const at = remote(name, given)
      return at ? make(at.host, at.port, settings, given) : undefined
    },
  }
}

/** A raw TCP serial server, such as ser2net's plain TCP accepter: bytes only, no line settings. */
export const tcpKind: TargetKind = remoteKind('tcp', (host, port, settings, given) => tcpTarget(host, port, settings, given))

/** A plain telnet server, such as ser2net's `telnet` accepter or the console LAVA's `telnet HOST PORT` reaches. */
export const telnetKind: TargetKind = remoteKind('telnet', (host, port, settings, given) => telnetTarget(host, port, settings, given))

/** A telnet COM-PORT (RFC 2217) server, such as ser2net's `telnet(rfc2217)` accepter: line settings negotiated. */
export const rfc2217Kind: TargetKind = remoteKind('rfc2217', (host, port, settings, given) => rfc2217Target(host, port, settings, given))

/** `host:port` as a URL writes it: an IPv6 address in brackets. */
function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`
}

export function tcpTarget(host: string, port: number, settings: PortSettings, given: string, description = `tcp://${hostPort(host, port)}`): Target {
  return {
    kind: 'tcp',
    description,
    hostIp: 'lan',
    onSimulator: false,
    open: () => openTcpPort(host, port, description, remoteOptions(settings)),
    recordedPort: (asGiven) => ({ port: asGiven ?? given }),
  }
}

export function telnetTarget(host: string, port: number, settings: PortSettings, given: string, description = `telnet://${hostPort(host, port)}`): Target {
  return {
    kind: 'telnet',
    description,
    hostIp: 'lan',
    onSimulator: false,
    open: () => openTelnetPort(host, port, description, remoteOptions(settings)),
    recordedPort: (asGiven) => ({ port: asGiven ?? given }),
  }
}

export function rfc2217Target(host: string, port: number, settings: PortSettings, given: string, baudRate = settings.baudRate): Target {
  const { line } = settings
  const description = `rfc2217://${hostPort(host, port)} at ${baudRate} baud`
  return {
    kind: 'rfc2217',
    description,
    hostIp: 'lan',
    onSimulator: false,
    open: () => openRfc2217Port(host, port, { baudRate, ...line }, description, remoteOptions(settings)),
    recordedPort: (asGiven) => lineSettings(asGiven ?? given, baudRate, line),
  }
}

function remoteOptions(settings: PortSettings) {
  return settings.banner ? { banner: settings.banner } : {}
}
