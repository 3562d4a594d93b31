import { Redactor } from '../bytes/redact.ts'
import type { OpenLink } from '../link/stream-link.ts'
import type { StreamSink } from '../files/stream-file.ts'
import type { Scenario } from '../source/types.ts'
import { HOST_IP } from '../source/variables.ts'
import type { VariableInputs } from '../source/variables.ts'
import { Recorder } from './recorder.ts'
import type { RecordingSetup } from './recorder.ts'
import { ReplayLink } from './replay-link.ts'
import { runVariables, variableMismatches } from './run-variables.ts'

/**
 * The variables of a run on a replayed device: `${host.ip}` is the recorded one (the address the
 * recorded device reached), unless `--var host.ip` says otherwise, and the scenario's
 * `simulator.vars` apply when the recorded run had them. The link learns this run's secrets (to mask
 * its messages) and the variables that differ from the recording's (to explain a deviation).
 */
export function replayVariables(link: OpenLink, scenario: Scenario, inputs: VariableInputs): VariableInputs {
  if (!(link instanceof ReplayLink)) return inputs
  const recorded = link.recording
  const replayed: VariableInputs = {
    ...inputs,
    hostIp: recorded.vars.get(HOST_IP) ?? inputs.hostIp,
    onSimulator: recorded.header.simulatorVars ?? false,
  }
  const current = runVariables(scenario, replayed)
  const secrets = current.secrets.map((s) => s.value)
  const redactor = new Redactor(secrets)
  const mismatches = variableMismatches(recorded.vars, current).map((m) => ({ ...m, current: redactor.text(m.current) }))
  link.explainDeviations(secrets, mismatches)
  return replayed
}

/** Records a run to `sink` (a .atrec file), with the port as given and its settings, and the run's variables. */
export function createRecorder(sink: StreamSink, scenario: Scenario, inputs: VariableInputs, port: RecordingSetup['port']): Recorder {
  const setup: RecordingSetup = { port: { ...port, simulatorVars: inputs.onSimulator }, variables: runVariables(scenario, inputs) }
  return new Recorder(sink, setup)
}
