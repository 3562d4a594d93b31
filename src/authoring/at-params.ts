/**
 * The parameters of an AT command as the firmware reads them: `AT+CMD=<p1>,<p2>,...`, where a
 * double-quoted parameter may hold `\"`, `\\` and `\,` (AT command set, "Parameters").
 */
export interface AtParam {
  /** The parameter as written, quotes and escapes included. */
  raw: string
  quoted: boolean
  /** Its value: without the quotes, escapes undone. */
  value: string
}

export interface AtCommand {
  /** `AT+CWJAP`, upper case; `AT` for the bare command. */
  name: string
  /** `=`, `?`, or '' (execute). */
  op: '=' | '?' | ''
  params: AtParam[]
}

export function parseAtCommand(text: string): AtCommand | undefined {
  const m = /^(AT(?:\+[A-Za-z0-9_]+)?)(=|\?)?(.*)$/i.exec(text)
  if (!m) return undefined
  const name = m[1]!.toUpperCase()
  const op = (m[2] ?? '') as AtCommand['op']
  if (op !== '=') return { name, op, params: [] }
  return { name, op, params: splitParams(m[3] ?? '') }
}

function splitParams(text: string): AtParam[] {
  const params: AtParam[] = []
  let i = 0
  while (i <= text.length) {
    if (text[i] === '"') {
      let j = i + 1
      let value = ''
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++
        value += text[j]
        j++
      }
      const end = Math.min(j + 1, text.length)
      params.push({ raw: text.slice(i, end), quoted: true, value })
      i = end
      // Anything between the closing quote and the comma stays part of this parameter's text.
      const comma = text.indexOf(',', i)
      if (comma < 0) break
      params[params.length - 1]!.raw += text.slice(i, comma)
      i = comma + 1
    } else {
      const comma = text.indexOf(',', i)
      const raw = comma < 0 ? text.slice(i) : text.slice(i, comma)
      params.push({ raw, quoted: false, value: raw })
      if (comma < 0) break
      i = comma + 1
    }
  }
  return params
}

/** The command with its parameters replaced (each as written, quotes included). */
export function joinAtCommand(command: AtCommand, params: readonly string[]): string {
  return `${command.name}${command.op}${params.join(',')}`
}

/**
 * The data length a command announces for its `>` prompt, when it announces one: AT+CIPSEND=4,
 * AT+CIPSEND=0,4, AT+WSSEND=0,4[,opcode], AT+CIPSENDEX, AT+MQTTPUBRAW=0,"t",4,0,0,
 * AT+HTTPCPOST="url",4, AT+HTTPURLCFG=4, AT+BLEGATTSNTFY...: a table of which parameter holds it.
 */
const LENGTH_PARAM: Record<string, (params: AtParam[]) => AtParam | undefined> = {
  'AT+CIPSEND': (p) => (p.length === 1 ? p[0] : p.length === 2 ? p[1] : p.length >= 3 && !p[0]!.quoted ? p[1] : undefined),
  'AT+CIPSENDEX': (p) => (p.length === 1 ? p[0] : p[1]),
  'AT+CIPSENDL': (p) => (p.length === 1 ? p[0] : p[1]),
  'AT+WSSEND': (p) => p[1],
  'AT+MQTTPUBRAW': (p) => p[2],
  'AT+MQTTLONGCLIENTID': (p) => p[1],
  'AT+MQTTLONGUSERNAME': (p) => p[1],
  'AT+MQTTLONGPASSWORD': (p) => p[1],
  'AT+HTTPCPOST': (p) => p[1],
  'AT+HTTPCPUT': (p) => p[1],
  'AT+HTTPURLCFG': (p) => p[0],
  'AT+SYSMFG': (p) => p[p.length - 1],
  'AT+BLEGATTSNTFY': (p) => p[p.length - 1],
  'AT+BLEGATTSIND': (p) => p[p.length - 1],
  'AT+BLEGATTCWR': (p) => p[p.length - 1],
}

export function announcedLength(text: string): number | undefined {
  const command = parseAtCommand(text.trim())
  if (!command || command.op !== '=') return undefined
  const param = LENGTH_PARAM[command.name]?.(command.params)
  if (!param || param.quoted || !/^\d+$/.test(param.value.trim())) return undefined
  return Number(param.value.trim())
}
