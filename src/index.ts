/**
 * at-scenario as a library: load and check scenarios, run them on a device you give (or one a
 * `--port` string names, or the built-in simulator), and listen to what happens.
 *
 *   const { scenario, diagnostics } = await loadScenario('scenarios/tcp-echo.yaml', { cliVars, env, cwd: process.cwd() })
 *   const link = await simulatorTarget().open()
 *   const result = await runScenario(scenario!, { link, variables, env: process.env, onEvent })
 */

// Scenarios: load, check, report their mistakes.
export { loadScenario, parseScenario } from './source/load.ts'
export type { LoadOptions, LoadResult } from './source/load.ts'
export type { Scenario, Step, Expectation, Prerequisite } from './source/types.ts'
export type { VariableInputs } from './source/variables.ts'
export type { Diagnostic, Span } from './diagnostics/diagnostic.ts'
export { hasErrors } from './diagnostics/diagnostic.ts'
export { renderDiagnostic } from './diagnostics/code-frame.ts'

// Running: one scenario on a link, or a suite of them over several devices.
export { runScenario } from './engine/run-scenario.ts'
export type { RunOptions } from './engine/run-scenario.ts'
export { runSuite, shardOf } from './engine/run-suite.ts'
export type { OpenedDevice, PreparedDevice, SuiteDevice, SuiteOptions, SuiteOutcome, SuiteReporter, SuiteResult } from './engine/run-suite.ts'
export type { EngineEvent, EngineListener } from './engine/events.ts'
export type { PrerequisiteResult, RunResult, StepFailure, StepResult } from './engine/result.ts'

// Devices: what a --port names, the simulator, and a byte link of your own.
export { simulatorTarget, targetOf, TARGET_KINDS } from './targets/index.ts'
export type { PortSettings, Target, TargetKind } from './targets/index.ts'
export { portDevice } from './targets/devices.ts'
export { DEFAULT_LINE, LinkOpenError } from './link/open-link.ts'
export type { OpenLink } from './link/stream-link.ts'
export { StreamLink } from './link/stream-link.ts'

// What events carry: bytes with secrets as named segments.
export type { Segment } from './bytes/segments.ts'
export { maskedBytes } from './bytes/segments.ts'
export { quotePieces } from './bytes/quote.ts'

// Reports: the file formats, and the reporting the CLI uses.
export { REPORT_FORMATS } from './report/formats.ts'
export { RunReporting } from './report/run-reporting.ts'
