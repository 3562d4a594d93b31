import { openRfc2217Port, openTcpPort } from '../link/open-link.ts'
import { lineSettings } from './serial.ts'
import type { TargetKind } from './target.ts'

/** `tcp://HOST:PORT` and `rfc2217://HOST:PORT`, with an IPv6 host in brackets. */
function remote(scheme: string, port: string): { host: string; port: number } | undefined {
  const m = new RegExp(`^${scheme}://(\\[[^\\]]+\\]|[^:/]+):(\\d+)/?$`).exec(port)
  return m ? { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) } : undefined
}

/** A raw TCP serial server, such as ser2net's plain TCP accepter: bytes only, no line settings. */
export const tcpKind: TargetKind = {
  name: 'tcp',
  form: 'tcp://HOST:PORT',
  parse(given) {
    const at = remote('tcp', given)
    if (!at) return undefined
    const description = `tcp://${at.host}:${at.port}`
    return {
      kind: 'tcp',
      description,
      hostIp: 'lan',
      onSimulator: false,
      open: () => openTcpPort(at.host, at.port, description),
      recordedPort: (asGiven) => ({ port: asGiven ?? given }),
    }
  },
}

/** A telnet COM-PORT (RFC 2217) server, such as ser2net's `telnet(rfc2217)` accepter: line settings negotiated. */
export const rfc2217Kind: TargetKind = {
  name: 'rfc2217',
  form: 'rfc2217://HOST:PORT',
  parse(given, { baudRate, line }) {
    const at = remote('rfc2217', given)
    if (!at) return undefined
    const description = `rfc2217://${at.host}:${at.port} at ${baudRate} baud`
    return {
      kind: 'rfc2217',
      description,
      hostIp: 'lan',
      onSimulator: false,
      open: () => openRfc2217Port(at.host, at.port, { baudRate, ...line }, description),
      recordedPort: (asGiven) => lineSettings(asGiven ?? given, baudRate, line),
    }
  },
}
