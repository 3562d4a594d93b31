import type { CommandSpec } from '../../device.ts'
import { domainCommands } from './domain.ts'
import { linkCommands } from './links.ts'
import { receiveCommands } from './receive.ts'
import { sendCommands } from './send.ts'
import { serverCommands } from './server.ts'
import { settingsCommands } from './settings.ts'
import { sslCommands } from './ssl.ts'
import { startCommands } from './start.ts'

/** The TCP/IP command set (notes §3): links 0..4 over real sockets, the device's server, passthrough. */
export const tcpipCommands: [string, CommandSpec][] = [
  ...settingsCommands,
  ...startCommands,
  ...sendCommands,
  ...linkCommands,
  ...receiveCommands,
  ...serverCommands,
  ...sslCommands,
  ...domainCommands,
]
