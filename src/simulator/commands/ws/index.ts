import type { CommandSpec } from '../../device.ts'
import { wscfgCommands } from './wscfg.ts'
import { wsdatafmtCommands } from './wsdatafmt.ts'
import { wsheadCommands } from './wshead.ts'
import { wsopenCommands } from './wsopen.ts'
import { wssendCommands } from './wssend.ts'

/** The WebSocket command set (reference §7). */
export const wsCommands: [string, CommandSpec][] = [...wscfgCommands, ...wsheadCommands, ...wsopenCommands, ...wssendCommands, ...wsdatafmtCommands]
