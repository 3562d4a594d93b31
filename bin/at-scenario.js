#!/usr/bin/env -S node --
// `--` above: node reads no option after it, so that `--env-file` and the like are ours (src/cli/env-file.ts).
// The version check comes first, and the bundle is imported only after it: a static import would
// be linked before any line here runs, and on an old Node that link fails with a bare SyntaxError.
import { ExitCode } from '../dist/cli/exit-codes.js'
import { internalErrorText } from '../dist/cli/internal-error.js'
import { nodeVersionProblem } from '../dist/cli/node-version.js'

// A bug must not show the user a stack of minified code: one line, and the code for a bug.
// process.exit runs the 'exit' listeners, which kill the prerequisites still running.
const internalError = (error) => {
  process.stderr.write(internalErrorText(error, process.env))
  process.exit(ExitCode.InternalError)
}
process.on('uncaughtException', internalError)
process.on('unhandledRejection', internalError)

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
// The process's own peak memory, for tests that check a run stays bounded (a flood, a 10 MB payload).
if (process.env.AT_SCENARIO_REPORT_MAXRSS) process.stderr.write(`at-scenario: max RSS ${process.resourceUsage().maxRSS} KiB\n`)
