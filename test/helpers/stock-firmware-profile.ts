import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { stockPki } from './external-material.ts'

/**
 * A simulator profile for a device with the stock ESP-AT firmware's PKI partition (the default
 * credentials of espressif/esp-at: wss_cert, wss_key, wss_ca), with short delays for tests. The
 * PKI is external material, so the profile cannot live in the repository with a path to it: it is
 * written for the test file to a temporary folder (removed after its tests), pointing at wherever
 * AT_SCENARIO_STOCK_PKI says the PKI is. Tests that use it need `itWith('stock-pki', ...)`.
 * Returns the profile's path; its file name is stock-firmware.yaml, as the CLI shows it.
 */
export function stockFirmwareProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-stock-profile-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const list = (files: string[]) => files.map((f) => `    - ${JSON.stringify(stockPki(f))}`).join('\n')
  const file = join(dir, 'stock-firmware.yaml')
  writeFileSync(
    file,
    `# Written by test/helpers/stock-firmware-profile.ts.
firmware:
  bootTime: 5ms
sntp:
  syncDelay: 20ms
websocket:
  reconnectDelay: 200ms
pki:
  clientCerts:
${list(['wss_client_00.crt', 'wss_client_01.crt'])}
  clientKeys:
${list(['wss_client_00.key', 'wss_client_01.key'])}
  caCerts:
${list(['wss_ca_00.crt', 'wss_ca_01.crt'])}
`,
  )
  return file
}
