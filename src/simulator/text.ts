/**
 * The device handles command lines as bytes (decoded as latin1, one char per byte) and prints
 * strings the same way; text from the profile is UTF-8, so it is turned into that byte form
 * before it is printed or compared with what a command gave.
 */
export function bytesOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1')
}
