/**
 * What happens when stdout or stderr goes away under a run: `at-scenario ... | head -1`, a log
 * collector that died, stdout at a full disk (EPIPE, ENOSPC). Node reports it as an 'error' event on
 * the stream, which, unheard, kills the process with a stack trace: teardown skipped, prerequisites
 * left running, no reports, exit 1. Here it only stops that output. The run goes on as if nothing
 * happened, because what a CI job needs from it does not go through that stream: teardown (the board
 * is left as the scenario found it), the transcript, JUnit and JSON files, and an exit code that says
 * how the run went. A dead log pipe is not a reason to abort a test, nor to fail it.
 */
export function keepRunningWhenOutputCloses(streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): void {
  let stderrOpen = true
  const listen = (name: 'stdout' | 'stderr') => {
    const stream = streams[name]
    // Once per stream, whoever calls main() how often (the tests run it in-process too).
    if (GUARDED.has(stream)) return
    GUARDED.add(stream)
    let said = false
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (name === 'stderr') stderrOpen = false
      if (said) return
      said = true
      if (name === 'stdout' && stderrOpen) {
        streams.stderr.write(`at-scenario: stdout can no longer be written (${e.code ?? e.message}); progress output stops, the run goes on and writes its reports\n`)
      }
    })
  }
  listen('stdout')
  listen('stderr')
}

const GUARDED = new WeakSet<NodeJS.WritableStream>()
