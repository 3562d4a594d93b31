/**
 * Values templated into an AT command line. The firmware ends a command at its line break and
 * splits parameters at commas outside double quotes; inside a quoted string parameter it reads `\\`,
 * `\"` and `\,` as the characters themselves (ESP-AT AT Command Set, "AT Command Types": "The
 * characters that need to be escaped are `,`, `"`, and `\`"). So a value can only ever be one
 * parameter if it has no line break, and, inside quotes, once those three are escaped.
 */

/** Whether a value would end the command line early and start another one on the device. */
export function hasLineBreak(value: string): boolean {
  return /[\r\n]/.test(value)
}

/** A value for the inside of a double-quoted string parameter: `a"b,c\d` becomes `a\"b\,c\\d`. */
export function escapeAtString(value: string): string {
  return value.replace(/[\\",]/g, '\\$&')
}

/** Where the writing of a command line stands: inside a quoted parameter or not, after a `\` or not. */
export interface QuoteState {
  inside: boolean
  /** The last character was a `\`: the next one is taken as it is. */
  escaped: boolean
}

export const LINE_START: QuoteState = { inside: false, escaped: false }

/**
 * The state after the literal `text` of a command, from `state`: a `"` not after a `\` opens or
 * closes a string parameter. Values are escaped (inside quotes) or refused (line breaks) by whoever
 * puts them between such pieces, so they never change the state.
 */
export function quoteStateAfter(text: string, state: QuoteState): QuoteState {
  let { inside, escaped } = state
  for (const c of text) {
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
    else if (c === '"') inside = !inside
  }
  return { inside, escaped }
}
