import { escapeByte } from './quote.ts'

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts a control sequence, BEL
 * ends an OSC title, CR moves back over what was written), DEL, the C1 range (0x9b is a one-byte CSI
 * for some terminals), and the Unicode controls that reorder or break lines (bidi overrides and
 * isolates, line and paragraph separators), which can make one text read as another.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this finds
const ACTIVE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/
const ALL_ACTIVE = new RegExp(ACTIVE.source, 'g')

/**
 * Text the run does not control (what a device printed, a prerequisite's output, values captured
 * from them, messages that quote them) as it may be shown on a terminal: every character a terminal
 * would act on is written in the escapes of the quoted notation (`\r`, `\n`, `\t`, `\xNN`; quote.ts),
 * or as `\u{NNNN}` above 0xff, so that a device can neither move the cursor, set the window title,
 * erase a line nor fake a `PASSED` line. Everything else is left as it is.
 */
export function terminalText(text: string): string {
  if (!ACTIVE.test(text)) return text
  return text.replace(ALL_ACTIVE, (c) => {
    const code = c.charCodeAt(0)
    return code <= 0xff ? escapeByte(code) : `\\u{${code.toString(16)}}`
  })
}
