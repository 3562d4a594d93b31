import type { Args } from '../../at-error.ts'
import { AtError } from '../../at-error.ts'
import type { CommandContext, CommandSpec } from '../../device.ts'
import { isTls, authModeOf } from '../../mqtt/transport.ts'
import type { Scheme } from '../../mqtt/transport.ts'
import type { MqttState } from '../../mqtt/mqtt-state.ts'

const MAX_TOPIC = 128
const MAX_HOST = 128
const DEFAULT_TIMEOUT_MS = 15_000
/** AT+MQTTLONG*: up to this many bytes after the prompt. */
const MAX_LONG = 1024

/**
 * The MQTT command set (MQTT_AT_Commands.rst, notes §6): one client, LinkID 0, on a real broker.
 * AT+MQTTUSERCFG, AT+MQTTLONGCLIENTID/USERNAME/PASSWORD, AT+MQTTCONNCFG, AT+MQTTCONN,
 * AT+MQTTPUB, AT+MQTTPUBRAW (its prompt, then `+MQTTPUB:OK` with no OK), AT+MQTTSUB, AT+MQTTUNSUB,
 * AT+MQTTCLEAN. `ALREADY SUBSCRIBE` and `NO UNSUBSCRIBE` are gone from the current core: plain OK.
 */
export const mqttCommands: [string, CommandSpec][] = [
  [
    '+MQTTUSERCFG',
    {
      set: (ctx, args) => {
        args.expectCount(8)
        linkId0(args)
        const scheme = args.int(1, 1, 10) as Scheme
        const clientId = args.str(2, undefined, 256)
        const username = args.str(3, '', 64)
        const password = args.str(4, '', 64)
        args.int(5, 0, 0) // cert_key_ID and CA_ID must be 0
        args.int(6, 0, 0)
        const path = args.str(7, '', 32)
        const mqtt = ctx.state.mqtt
        if (mqtt.connected || mqtt.state === 3) throw new AtError()
        if (clientId.length === 0) throw args.outOfRange(2)
        if (isTls(scheme)) {
          const missing = ctx.pki.missing(authModeOf(scheme), 0, 0)
          if (missing) throw new AtError(undefined, [missing])
        }
        mqtt.user = { scheme, clientId, username, password, path }
        if (mqtt.state === 0) mqtt.state = 1
        return 'OK' as const
      },
    },
  ],
  longSetting('+MQTTLONGCLIENTID', (mqtt, value) => (mqtt.user!.clientId = value)),
  longSetting('+MQTTLONGUSERNAME', (mqtt, value) => (mqtt.user!.username = value)),
  longSetting('+MQTTLONGPASSWORD', (mqtt, value) => (mqtt.user!.password = value)),
  [
    '+MQTTCONNCFG',
    {
      set: (ctx, args) => {
        args.expectCount(7)
        linkId0(args)
        const keepalive = args.int(1, 0, 7200)
        const disableCleanSession = args.int(2, 0, 1) === 1
        const topic = args.str(3, '', MAX_TOPIC)
        const message = args.str(4, '', MAX_TOPIC)
        const qos = args.int(5, 0, 2) as 0 | 1 | 2
        const retain = args.int(6, 0, 1) === 1
        const mqtt = ctx.state.mqtt
        if (mqtt.state === 0 || mqtt.connected) throw new AtError()
        mqtt.conn = { keepaliveSec: keepalive === 0 ? 120 : keepalive, disableCleanSession, ...(topic ? { lwt: { topic, message, qos, retain } } : {}) }
        if (mqtt.state === 1) mqtt.state = 2
        return 'OK' as const
      },
    },
  ],
  [
    '+MQTTCONN',
    {
      query: (ctx) => {
        const mqtt = ctx.state.mqtt
        const scheme = mqtt.user?.scheme ?? 0
        if (mqtt.state <= 2 || !mqtt.broker) ctx.line(`+MQTTCONN:0,${mqtt.state},${scheme},"","","",0`)
        else {
          const path = scheme >= 6 ? `/${mqtt.user!.path}` : ''
          ctx.line(`+MQTTCONN:0,${mqtt.state},${scheme},"${mqtt.broker.host}","${mqtt.broker.port}","${path}",${mqtt.broker.reconnect ? 1 : 0}`)
        }
        return 'OK' as const
      },
      set: async (ctx, args) => {
        args.expectCount(4, 5)
        linkId0(args)
        const host = args.str(1, undefined, MAX_HOST)
        const port = args.int(2, 1, 65_535)
        const reconnect = args.int(3, 0, 1) === 1
        const timeoutMs = args.int(4, 3000, 60_000, DEFAULT_TIMEOUT_MS)
        const mqtt = ctx.state.mqtt
        // Already connected, or dropped with reconnect 0 (AT+MQTTCLEAN first, doc ~L433).
        if (mqtt.state !== 1 && mqtt.state !== 2) throw new AtError()
        if (host.length === 0) throw args.outOfRange(1)
        if (!(await mqtt.connect({ host, port, reconnect }, timeoutMs, ctx))) throw new AtError()
        return 'OK' as const
      },
    },
  ],
  [
    '+MQTTPUB',
    {
      set: async (ctx, args) => {
        args.expectCount(5, 6)
        linkId0(args)
        const topic = topicOf(args, 1)
        // An AT string: `\"`, `\,` and `\\` were unescaped by the parser; `\0` cannot be sent.
        const data = Buffer.from(args.str(2, ''), 'latin1')
        const qos = args.int(3, 0, 2) as 0 | 1 | 2
        const retain = args.int(4, 0, 1) === 1
        const timeoutMs = args.int(5, 3000, 60_000, DEFAULT_TIMEOUT_MS)
        if (!(await ctx.state.mqtt.publish(topic, data, qos, retain, timeoutMs))) throw new AtError()
        return 'OK' as const
      },
    },
  ],
  [
    '+MQTTPUBRAW',
    {
      set: async (ctx, args) => {
        args.expectCount(5, 6)
        linkId0(args)
        const topic = topicOf(args, 1)
        const length = args.int(2, 1, 1 << 20)
        const qos = args.int(3, 0, 2) as 0 | 1 | 2
        const retain = args.int(4, 0, 1) === 1
        const timeoutMs = args.int(5, 3000, 60_000, DEFAULT_TIMEOUT_MS)
        const mqtt = ctx.state.mqtt
        if (!mqtt.connected) throw new AtError()
        const data = await ctx.readPayload(length)
        const ok = await mqtt.publish(topic, data, qos, retain, timeoutMs)
        // No leading CR LF and no OK after it: the handler ends the command itself (notes §6.8).
        return { raw: ok ? '+MQTTPUB:OK\r\n' : '+MQTTPUB:FAIL\r\n' }
      },
    },
  ],
  [
    '+MQTTSUB',
    {
      query: (ctx) => {
        const mqtt = ctx.state.mqtt
        if (mqtt.subscriptions.size === 0) ctx.line(`+MQTTSUB:0,${mqtt.state},"",0`)
        for (const [topic, qos] of mqtt.subscriptions) ctx.line(`+MQTTSUB:0,${mqtt.state},"${topic}",${qos}`)
        return 'OK' as const
      },
      set: async (ctx, args) => {
        args.expectCount(3, 4)
        linkId0(args)
        const topic = topicOf(args, 1)
        const qos = args.int(2, 0, 2) as 0 | 1 | 2
        const timeoutMs = args.int(3, 3000, 60_000, DEFAULT_TIMEOUT_MS)
        if (!(await ctx.state.mqtt.subscribe(topic, qos, timeoutMs))) throw new AtError()
        return 'OK' as const
      },
    },
  ],
  [
    '+MQTTUNSUB',
    {
      set: async (ctx, args) => {
        args.expectCount(2, 3)
        linkId0(args)
        const topic = topicOf(args, 1)
        const timeoutMs = args.int(2, 3000, 60_000, DEFAULT_TIMEOUT_MS)
        if (!(await ctx.state.mqtt.unsubscribe(topic, timeoutMs))) throw new AtError()
        return 'OK' as const
      },
    },
  ],
  [
    '+MQTTCLEAN',
    {
      set: (ctx, args) => {
        args.expectCount(1)
        linkId0(args)
        const mqtt = ctx.state.mqtt
        if (mqtt.state === 0) throw new AtError() // `uninitiated or already clean`
        mqtt.clean()
        return 'OK' as const
      },
    },
  ],
]

/** `<LinkID>`: only 0. */
function linkId0(args: Args): void {
  args.int(0, 0, 0)
}

function topicOf(args: Args, i: number): string {
  const topic = args.str(i, undefined, MAX_TOPIC)
  if (topic.length === 0) throw args.outOfRange(i)
  return topic
}

/** AT+MQTTLONG*=<LinkID>,<length>: the prompt, then the value as raw bytes; after AT+MQTTUSERCFG only. */
function longSetting(name: string, apply: (mqtt: MqttState, value: string) => void): [string, CommandSpec] {
  return [
    name,
    {
      set: async (ctx: CommandContext, args: Args) => {
        args.expectCount(2)
        linkId0(args)
        const length = args.int(1, 1, MAX_LONG)
        const mqtt = ctx.state.mqtt
        if (!mqtt.user || mqtt.connected) throw new AtError()
        apply(mqtt, Buffer.from(await ctx.readPayload(length)).toString('latin1'))
        return 'OK' as const
      },
    },
  ]
}
