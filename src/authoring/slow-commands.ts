/**
 * Commands whose answer takes longer than the default step timeout (5 s) on a board: joining a
 * router, connecting to a server, TLS handshakes, DNS and HTTP. A table, so a new one is a line.
 */
const SLOW: readonly [RegExp, string][] = [
  [/^AT\+CWJAP=/i, '20s'],
  [/^AT\+WSOPEN=/i, '20s'],
  [/^AT\+MQTTCONN=/i, '20s'],
  [/^AT\+HTTPC(?:LIENT|GET|POST|PUT|HEAD)=/i, '20s'],
  [/^AT\+CIPSTART(?:EX)?=/i, '10s'],
  [/^AT\+CIPDOMAIN=/i, '10s'],
  [/^AT\+CIPPING=/i, '10s'],
  [/^AT\+CWLAP\b/i, '10s'],
  [/^AT\+(?:RST|RESTORE)$/i, '10s'],
]

/** The timeout a step with this command needs, if more than the default. */
export function timeoutOf(command: string): string | undefined {
  return SLOW.find(([re]) => re.test(command))?.[1]
}
