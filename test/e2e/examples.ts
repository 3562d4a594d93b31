import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'vitest'
import { runCli } from '../helpers/cli.ts'
import type { CliRun } from '../helpers/cli.ts'
import { freePort, isListening, processesMatching } from '../helpers/net.ts'

/** One scenario of scenarios/tcpip, mqtt or http, and what a run of it through the CLI needs. */
export interface Example {
  file: string
  /** Variables that are ports: each run gets free ones, so that runs side by side do not collide. */
  ports: string[]
  /** On a `--port` (not the simulator) the scenario's `simulator.vars` do not apply: these stand in. */
  boardVars?: Record<string, string>
}

/** The simulator's test PKI, for the scenarios whose board defaults name the esp-at repository's files. */
const PKI = { server_ca: '../pki/ca.crt', server_cert: '../pki/server.crt', server_key: '../pki/server.key' }


export const TCPIP_EXAMPLES: Example[] = [
  { file: 'tcpip/tcp-client-single.yaml', ports: ['port'] },
  { file: 'tcpip/tcp-server-multiple.yaml', ports: ['server_port'], boardVars: { esp_ip: '127.0.0.1' } },
  { file: 'tcpip/udp-fixed-remote.yaml', ports: ['port', 'local_port'] },
  { file: 'tcpip/udp-changeable-remote.yaml', ports: ['port', 'local_port', 'other_port'] },
  { file: 'tcpip/ssl-client-single.yaml', ports: ['port'] },
  { file: 'tcpip/ssl-server-multiple.yaml', ports: ['server_port'], boardVars: { esp_ip: '127.0.0.1' } },
  { file: 'tcpip/ssl-client-mutual-auth.yaml', ports: ['port'], boardVars: PKI },
  { file: 'tcpip/ssl-server-mutual-auth.yaml', ports: ['server_port'], boardVars: { esp_ip: '127.0.0.1', client_cert: '../pki/client.crt', client_key: '../pki/client.key' } },
  { file: 'tcpip/passthrough-tcp-client.yaml', ports: ['port'] },
  { file: 'tcpip/passthrough-tcp-server.yaml', ports: ['server_port'], boardVars: { esp_ip: '127.0.0.1' } },
  { file: 'tcpip/passthrough-udp-softap.yaml', ports: ['port', 'local_port'], boardVars: { pc_ip: '127.0.0.1' } },
  { file: 'tcpip/passive-receive.yaml', ports: ['port'] },
]

export const MQTT_HTTP_EXAMPLES: Example[] = [
  { file: 'mqtt/mqtt-tcp-small-data.yaml', ports: ['broker_port'] },
  { file: 'mqtt/mqtt-tcp-large-data.yaml', ports: ['broker_port'] },
  { file: 'mqtt/mqtt-tls.yaml', ports: ['broker_port'], boardVars: { broker_cert: '../pki/server.crt', broker_key: '../pki/server.key', client_ca: '../pki/ca.crt' } },
  { file: 'mqtt/mqtt-wss.yaml', ports: ['mqtt_port'], boardVars: { broker_cert: '../pki/server.crt', broker_key: '../pki/server.key' } },
  { file: 'http/head.yaml', ports: ['http_port'] },
  { file: 'http/get.yaml', ports: ['https_port'] },
  { file: 'http/post-small-data.yaml', ports: ['http_port'] },
  { file: 'http/post-recommended.yaml', ports: ['http_port'] },
  { file: 'http/put-no-data.yaml', ports: ['http_port'] },
  { file: 'http/put-recommended.yaml', ports: ['http_port'] },
  { file: 'http/delete.yaml', ports: ['https_port'] },
]

/** `--var name=value` for each port of the example, each a free port of 127.0.0.1. */
export async function portVars(example: Example): Promise<{ args: string[]; ports: number[] }> {
  const args: string[] = []
  const ports: number[] = []
  for (const name of example.ports) {
    const port = await freePort()
    ports.push(port)
    args.push('--var', `${name}=${port}`)
  }
  return { args, ports }
}

export function boardArgs(example: Example): string[] {
  return Object.entries(example.boardVars ?? {}).flatMap(([k, v]) => ['--var', `${k}=${v}`])
}

/** A run that passed every step, said so, and left no server behind. */
export async function expectPassed(run: CliRun, ports: number[]): Promise<void> {
  expect(run.stderr, run.stdout).toBe('')
  expect(run.code, run.stdout).toBe(0)
  expect(run.stdout).toMatch(/PASSED .*: \d+ passed in/)
  expect(run.stdout).not.toMatch(/✖/)
  for (const port of ports) {
    expect(await isListening(port)).toBe(false)
    expect(processesMatching(`--port ${port}`)).toEqual([])
  }
}

/** A scratch folder for reports and recordings, removed by the caller. */
export function scratch(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-examples-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/**
 * The three runs the issue asks of every example: on the built-in simulator (recorded), over
 * `at-scenario sim` on a pseudo-terminal with --port, and replayed from the recording.
 */
export async function runEverywhere(example: Example, ptyPath: string, dir: string): Promise<void> {
  const file = `scenarios/${example.file}`
  const recording = join(dir, 'run.atrec')
  const onSim = await portVars(example)
  await expectPassed(await runCli([file, ...onSim.args, '--record', recording, '--output-dir', join(dir, 'sim')]), onSim.ports)
  // A replay starts no server: a Python that does not exist shows it.
  const replay = await runCli([file, ...onSim.args, '--port', `replay:${recording}`, '--replay-speed', '0', '--output-dir', join(dir, 'replay')], { env: { PYTHON: '/nonexistent/python3' } })
  await expectPassed(replay, onSim.ports)
  const onPty = await portVars(example)
  await expectPassed(await runCli([file, '--port', ptyPath, '--var', 'host.ip=127.0.0.1', ...boardArgs(example), ...onPty.args, '--output-dir', join(dir, 'pty')]), onPty.ports)
}
