import type { CommandSpec } from '../device.ts'
import { basicCommands } from './basic.ts'
import { ipCommands } from './ip.ts'
import { sntpCommands } from './sntp.ts'
import { wifiCommands } from './wifi.ts'
import { wscfgCommands } from './wscfg.ts'
import { wsdatafmtCommands } from './wsdatafmt.ts'
import { wsheadCommands } from './wshead.ts'
import { wsopenCommands } from './wsopen.ts'
import { wssendCommands } from './wssend.ts'

/** Every command the simulator knows, in the order AT+CMD? lists them. */
export const COMMANDS: readonly [string, CommandSpec][] = [
  ...basicCommands,
  ...wifiCommands,
  ...ipCommands,
  ...sntpCommands,
  ...wscfgCommands,
  ...wsheadCommands,
  ...wsopenCommands,
  ...wssendCommands,
  ...wsdatafmtCommands,
]
