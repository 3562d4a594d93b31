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

/** Typed access to a command's parameters, failing the way the firmware fails. */
export class Args {
  readonly params: Param[]
  constructor(params: Param[]) {
    this.params = params
  }

  get count(): number {
    return this.params.length
  }

  /** Fails unless the count is one of these. */
  expectCount(...allowed: number[]): void {
    if (!allowed.includes(this.count)) throw new AtError(ErrCode.paramCount(Math.max(...allowed), this.count))
  }

  has(i: number): boolean {
    const p = this.params[i]
    return p !== undefined && p.kind !== 'empty'
  }

  int(i: number, min: number, max: number, fallback?: number): number {
    const p = this.params[i]
    if (p === undefined || p.kind === 'empty') {
      if (fallback !== undefined) return fallback
      throw new AtError(ErrCode.paramParse(i))
    }
    if (p.kind !== 'int') throw new AtError(ErrCode.paramParse(i))
    if (p.value < min || p.value > max) throw new AtError(ErrCode.paramInvalid(i))
    return p.value
  }

  str(i: number, fallback?: string): string {
    const p = this.params[i]
    if (p === undefined || p.kind === 'empty') {
      if (fallback !== undefined) return fallback
      throw new AtError(ErrCode.paramParse(i))
    }
    if (p.kind !== 'string') throw new AtError(ErrCode.paramParse(i))
    return p.value
  }
}
