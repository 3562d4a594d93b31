import type { Param } from './command-line.ts'

/** ERR CODE values (reference §2.7): 0x01 module, subcategory, extension. */
export const ErrCode = {
  noAt: 0x01030000,
  unsupported: 0x01090000,
  processing: 0x010b0000,
  paramInvalid: (index: number) => 0x01070000 | index,
  paramParse: (index: number) => 0x01080000 | index,
  paramCount: (expected: number, given: number) => 0x01060000 | (expected << 8) | given,
  execFail: (ext = 0) => 0x010a0000 | ext,
} as const

export function errCodeLine(code: number): string {
  return `ERR CODE:0x${code.toString(16).padStart(8, '0')}\r\n`
}

/** A command handler's failure: `\r\nERROR\r\n`, preceded by `ERR CODE:` when SYSLOG is on and a code is known. */
export class AtError extends Error {
  readonly code: number | undefined
  /** Lines printed before ERROR (e.g. `+CWJAP:2`, `NO CERT FOUND`). */
  readonly lines: string[]
  constructor(code?: number, lines: string[] = []) {
    super(code === undefined ? 'ERROR' : `ERROR 0x${code.toString(16).padStart(8, '0')}`)
    this.code = code
    this.lines = lines
  }
}

export interface ArgsOptions {
  /**
   * Whether an out-of-range value carries ERR CODE 0x0107000N. The WebSocket handlers check ranges
   * themselves and fail with a plain ERROR (reference §7); parse failures keep their code everywhere.
   */
  rangeCodes: boolean
}

/** Typed access to a command's parameters, failing the way the firmware fails. */
export class Args {
  readonly params: Param[]
  private readonly options: ArgsOptions

  constructor(params: Param[], options: ArgsOptions = { rangeCodes: true }) {
    this.params = params
    this.options = options
  }

  get count(): number {
    return this.params.length
  }

  /** Fails unless the count is one of these (ERR CODE 0x0106EEGG: expected, given). */
  expectCount(...allowed: number[]): void {
    if (!allowed.includes(this.count)) throw new AtError(this.options.rangeCodes ? ErrCode.paramCount(Math.max(...allowed), this.count) : undefined)
  }

  /** Present and not an empty field (`,,`). */
  has(i: number): boolean {
    const p = this.params[i]
    return p !== undefined && p.kind !== 'empty'
  }

  /** Given as a field, possibly empty. */
  given(i: number): boolean {
    return this.params[i] !== undefined
  }

  /** An integer in [min, max]; `fallback` when the field is missing or empty, else a parse failure. */
  int(i: number, min: number, max: number, fallback?: number): number {
    const p = this.params[i]
    if (p === undefined || p.kind === 'empty') {
      if (fallback !== undefined) return fallback
      throw new AtError(ErrCode.paramParse(i))
    }
    if (p.kind !== 'int') throw new AtError(ErrCode.paramParse(i))
    if (p.value < min || p.value > max) throw this.outOfRange(i)
    return p.value
  }

  /** A quoted string; `fallback` when missing or empty. `maxLength` in bytes (UTF-8). */
  str(i: number, fallback?: string, maxLength = Infinity): string {
    const p = this.params[i]
    if (p === undefined || p.kind === 'empty') {
      if (fallback !== undefined) return fallback
      throw new AtError(ErrCode.paramParse(i))
    }
    if (p.kind !== 'string') throw new AtError(ErrCode.paramParse(i))
    if (Buffer.byteLength(p.value, 'latin1') > maxLength) throw this.outOfRange(i)
    return p.value
  }

  outOfRange(i: number): AtError {
    return new AtError(this.options.rangeCodes ? ErrCode.paramInvalid(i) : undefined)
  }
}
