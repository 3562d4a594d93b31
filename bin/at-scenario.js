#!/usr/bin/env node
// The version check comes first, and the bundle is imported only after it: a static import would
// be linked before any line here runs, and on an old Node that link fails with a bare SyntaxError.
import { ExitCode } from '../dist/cli/exit-codes.js'
import { internalErrorText } from '../dist/cli/internal-error.js'
import { nodeVersionProblem } from '../dist/cli/node-version.js'
import { setFlagsFromString } from 'node:v8'

// A scenario's regex such as /(a+)+$/ against a device line of forty `a`s would backtrack for
// hours and block the run (its timeouts included). With this, V8 switches a regex that backtracks
// too much to its linear-time engine, same matches (regexes with the `u` or `v` flag, lookbehind
// or backreferences cannot switch).
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks')

// A bug must not show the user a stack of minified code: one line, and the code for a bug.
// process.exit runs the 'exit' listeners, which kill the prerequisites still running.
const internalError = (error) => {
  process.stderr.write(internalErrorText(error, process.env))
  process.exit(ExitCode.InternalError)
}
process.on('uncaughtException', internalError)
process.on('unhandledRejection', internalError)
// The reader of the output went away (`| head`): nothing to say, and no one to say it to.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => (error.code === 'EPIPE' ? process.exit(ExitCode.OutputClosed) : internalError(error)))
}

const problem = nodeVersionProblem(process.versions.node)
if (problem) {
  process.stderr.write(`${problem}\n`)
  process.exitCode = ExitCode.CouldNotRun
} else {
  try {
    const { main } = await import('../dist/bundle/at-scenario.js')
    process.exitCode = await main(process.argv.slice(2))
  } catch (error) {
    internalError(error)
  }
}
