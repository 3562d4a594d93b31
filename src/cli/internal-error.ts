/**
 * What the command line says when the program itself fails (a bug, not the user's input): one
 * line, without the stack of minified bundle code that means nothing to a user, unless
 * AT_SCENARIO_DEBUG=1 asks for it. bin/at-scenario.js prints it for an exception that escapes
 * main() and for one thrown or rejected outside any await (an event handler), then exits with
 * ExitCode.InternalError; the prerequisites are killed on the way out (cli/interrupts.ts).
 */
export function internalErrorText(error: unknown, env: Readonly<Record<string, string | undefined>>): string {
  const message = error instanceof Error ? error.message : String(error)
  const firstLine = message.split('\n').find((l) => l.trim() !== '') ?? (error instanceof Error ? error.name : 'unknown error')
  const debug = env.AT_SCENARIO_DEBUG === '1'
  const stack = debug && error instanceof Error && error.stack ? `${error.stack}\n` : ''
  return `${stack}at-scenario: internal error: ${firstLine}${debug ? '' : ' (AT_SCENARIO_DEBUG=1 shows the stack)'}\n`
}
