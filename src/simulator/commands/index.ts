import type { CommandSpec } from '../device.ts'
import { basicCommands } from './basic/index.ts'
import { httpCommands } from './http/index.ts'
import { ipCommands } from './ip/index.ts'
import { mqttCommands } from './mqtt/index.ts'
import { sntpCommands } from './sntp/index.ts'
import { tcpipCommands } from './tcpip/index.ts'
import { wifiCommands } from './wifi/index.ts'
import { wsCommands } from './ws/index.ts'

/** One command set: a folder of commands/, as the firmware's docs group them. */
export interface CommandSet {
  /** The folder's name: `wifi`, `tcpip`... */
  name: string
  /** How the docs title the set. */
  title: string
  commands: readonly [string, CommandSpec][]
}

/**
 * Every command the simulator models, by command set, in the order AT+CMD? lists them. This table
 * is the only list: AT+CMD?, `at-scenario sim --list-commands` and the "does not model" hint all
 * read it.
 */
export const COMMAND_SETS: readonly CommandSet[] = [
  { name: 'basic', title: 'Basic AT commands', commands: basicCommands },
  { name: 'wifi', title: 'Wi-Fi AT commands', commands: wifiCommands },
  { name: 'ip', title: 'IP addresses (AT+CIPSTA, AT+CIPAP, AT+CIFSR)', commands: ipCommands },
  { name: 'sntp', title: 'SNTP (TCP/IP AT commands)', commands: sntpCommands },
  { name: 'tcpip', title: 'TCP/IP AT commands', commands: tcpipCommands },
  { name: 'mqtt', title: 'MQTT AT commands', commands: mqttCommands },
  { name: 'http', title: 'HTTP AT commands', commands: httpCommands },
  { name: 'ws', title: 'WebSocket AT commands', commands: wsCommands },
]

export const COMMANDS: readonly [string, CommandSpec][] = COMMAND_SETS.flatMap((s) => s.commands)
