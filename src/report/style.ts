/** ANSI styles, or none: plain output carries no escape codes unless colours are asked for. */
export interface Style {
  green(s: string): string
  red(s: string): string
  yellow(s: string): string
  cyan(s: string): string
  dim(s: string): string
  bold(s: string): string
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`
const same = (s: string) => s

export function style(color: boolean): Style {
  if (!color) return { green: same, red: same, yellow: same, cyan: same, dim: same, bold: same }
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) }
}
