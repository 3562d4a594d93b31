import type { Duplex } from 'node:stream'
import type { MqttClient as Client, IClientOptions } from 'mqtt'
import type { DeviceRuntime } from '../runtime.ts'
import { resolveHost } from '../tcpip/resolve.ts'
import { isWebSocket, openMqttTransport } from './transport.ts'
import type { Scheme } from './transport.ts'

/** esp-mqtt's buffer: a message longer than this, MQTT header included, comes in several records. */
export const MQTT_BUFFER = 1024
/** Subscriptions the firmware keeps (and re-subscribes after a reconnection). */
export const MAX_SUBSCRIPTIONS = 10

/** AT+MQTTUSERCFG. */
export interface UserConfig {
  scheme: Scheme
  clientId: string
  username: string
  password: string
  /** AT+MQTTUSERCFG's `<"path">` (WebSocket schemes). */
  path: string
}

/** AT+MQTTCONNCFG. */
export interface ConnConfig {
  keepaliveSec: number
  disableCleanSession: boolean
  lwt?: { topic: string; message: string; qos: 0 | 1 | 2; retain: boolean }
}

/** AT+MQTTCONN's broker. */
export interface Broker {
  host: string
  port: number
  reconnect: boolean
}

/**
 * The MQTT client of the firmware (one, LinkID 0; notes §6, §10.4), on a real broker through
 * MQTT.js. States as AT+MQTTCONN? numbers them: 0 uninitialised, 1 user configured, 2 connection
 * configured, 3 disconnected, 4 connected, 5 connected without subscriptions, 6 with. It prints
 * `+MQTTCONNECTED` on every connection, `+MQTTDISCONNECTED:0` on every loss, `+MQTTSUBRECV` per
 * buffer of a received message, and with `<reconnect>` 1 reconnects and re-subscribes by itself.
 */
export class MqttState {
  state: 0 | 1 | 2 | 3 | 4 | 5 | 6 = 0
  user: UserConfig | undefined
  conn: ConnConfig = { keepaliveSec: 120, disableCleanSession: false }
  broker: Broker | undefined
  /** Topics with their QoS, in the order subscribed. */
  readonly subscriptions = new Map<string, 0 | 1 | 2>()
  private client: Client | undefined
  private runtime: DeviceRuntime | undefined
  private received = 0
  private readonly timers: (() => void)[] = []
  /** Increases on every clean-up, so that a connection attempt under way gives up quietly. */
  private generation = 0

  get connected(): boolean {
    return this.state >= 4
  }

  /**
   * AT+MQTTCONN: connects within `timeoutMs`; true once the broker accepted (after
   * `+MQTTCONNECTED`), false when it refused or could not be reached (after `+MQTTDISCONNECTED:0`).
   */
  async connect(broker: Broker, timeoutMs: number, runtime: DeviceRuntime): Promise<boolean> {
    this.runtime = runtime
    this.broker = broker
    const ok = await this.attempt(timeoutMs)
    if (!ok) this.broker = undefined
    return ok
  }

  publish(topic: string, payload: Uint8Array, qos: 0 | 1 | 2, retain: boolean, timeoutMs: number): Promise<boolean> {
    const client = this.client
    if (!client || !this.connected) return Promise.resolve(false)
    return this.withTimeout(timeoutMs, (done) => client.publish(topic, Buffer.from(payload), { qos, retain }, (err) => done(!err)))
  }

  async subscribe(topic: string, qos: 0 | 1 | 2, timeoutMs: number): Promise<boolean> {
    const client = this.client
    if (!client || !this.connected) return false
    const ok = await this.withTimeout(timeoutMs, (done) => client.subscribe(topic, { qos }, (err, granted) => done(!err && granted?.[0]?.qos !== 128)))
    if (!ok) return false
    // An 11th topic is subscribed on the broker but not kept (`full subscribed` in the log).
    if (this.subscriptions.has(topic) || this.subscriptions.size < MAX_SUBSCRIPTIONS) this.subscriptions.set(topic, qos)
    this.state = 6
    return true
  }

  async unsubscribe(topic: string, timeoutMs: number): Promise<boolean> {
    const client = this.client
    if (!client || !this.connected) return false
    const ok = await this.withTimeout(timeoutMs, (done) => client.unsubscribe(topic, (err) => done(!err)))
    if (!ok) return false
    this.subscriptions.delete(topic)
    if (this.subscriptions.size === 0) this.state = 5
    return true
  }

  /** AT+MQTTCLEAN, a restart: the connection and every setting gone, without a word. */
  clean(): void {
    this.generation++
    this.drop()
    for (const cancel of this.timers.splice(0)) cancel()
    this.state = 0
    this.user = undefined
    this.conn = { keepaliveSec: 120, disableCleanSession: false }
    this.broker = undefined
    this.subscriptions.clear()
  }

  /** Cuts the network under the client, as a broker that goes away would (the dropMqtt fault). */
  dropTransport(): void {
    const stream = this.client?.stream
    stream?.destroy()
  }

  private async attempt(timeoutMs: number): Promise<boolean> {
    const runtime = this.runtime!
    const broker = this.broker!
    const user = this.user!
    const generation = this.generation
    const current = () => generation === this.generation && runtime.alive
    const ip = runtime.state.hasNetwork ? await resolveHost(runtime.profile, broker.host) : undefined
    let stream: Duplex | undefined
    if (ip && current()) {
      try {
        stream = await openMqttTransport(
          { scheme: user.scheme, ip, host: broker.host, port: broker.port, path: isWebSocket(user.scheme) ? `/${user.path}` : '' },
          runtime.pki,
          { timeoutMs, deviceNow: () => runtime.clock.now(), signal: runtime.signal },
        )
      } catch {
        stream = undefined
      }
    }
    if (!current()) {
      stream?.destroy()
      return false
    }
    if (!stream) {
      runtime.urc('+MQTTDISCONNECTED:0')
      return false
    }
    const client = await this.handshake(stream, timeoutMs)
    if (!current()) {
      client?.end(true)
      return false
    }
    if (!client) {
      runtime.urc('+MQTTDISCONNECTED:0')
      return false
    }
    this.client = client
    this.received = 0
    this.state = this.subscriptions.size > 0 ? 6 : 4
    runtime.urc(`+MQTTCONNECTED:0,${user.scheme},"${broker.host}","${broker.port}","${isWebSocket(user.scheme) ? `/${user.path}` : ''}",${broker.reconnect ? 1 : 0}`)
    client.on('message', (topic: string, payload: Buffer, packet: { qos: number }) => this.deliver(topic, payload, packet.qos))
    client.on('close', () => this.lost(client))
    this.armFault(client)
    // esp-mqtt subscribes its stored topics again after a reconnection.
    for (const [topic, qos] of this.subscriptions) client.subscribe(topic, { qos })
    return true
  }

  /** MQTT.js over the stream: resolves with the client once the broker's CONNACK accepted it. */
  private async handshake(stream: Duplex, timeoutMs: number): Promise<Client | undefined> {
    const MqttClient = await mqttClientClass()
    const user = this.user!
    const options: IClientOptions = {
      protocolVersion: 4,
      clientId: user.clientId,
      keepalive: this.conn.keepaliveSec,
      clean: !this.conn.disableCleanSession,
      reconnectPeriod: 0, // esp-mqtt's reconnection is modelled here, with the firmware's URCs
      connectTimeout: timeoutMs,
      resubscribe: false,
      ...(user.username ? { username: user.username } : {}),
      ...(user.password ? { password: user.password } : {}),
      ...(this.conn.lwt ? { will: { topic: this.conn.lwt.topic, payload: Buffer.from(this.conn.lwt.message, 'latin1'), qos: this.conn.lwt.qos, retain: this.conn.lwt.retain } } : {}),
    }
    return new Promise((resolve) => {
      const client = new MqttClient(() => stream, options)
      const settle = (ok: boolean) => {
        client.removeAllListeners('connect')
        client.removeAllListeners('error')
        client.on('error', () => undefined)
        if (!ok) client.end(true)
        resolve(ok ? client : undefined)
      }
      client.once('connect', () => settle(true))
      client.once('error', () => settle(false))
      client.once('close', () => settle(false))
    })
  }

  private lost(client: Client): void {
    if (this.client !== client) return
    this.drop()
    const runtime = this.runtime!
    if (!runtime.alive) return
    this.state = 3
    runtime.urc('+MQTTDISCONNECTED:0')
    if (this.broker?.reconnect) this.scheduleReconnect()
  }

  private scheduleReconnect(): void {
    const runtime = this.runtime!
    this.timers.push(
      runtime.after(runtime.profile.mqtt.reconnectDelayMs, () => {
        void this.attempt(runtime.profile.network.connectTimeoutMs).then((ok) => {
          if (!ok && this.state === 3 && this.broker?.reconnect) this.scheduleReconnect()
        })
      }),
    )
  }

  /** `+MQTTSUBRECV:0,"<topic>",<len>,<data>\r\n` per buffer: the first holds the MQTT header too. */
  private deliver(topic: string, payload: Buffer, qos: number): void {
    const runtime = this.runtime!
    const topicBytes = Buffer.byteLength(topic)
    const variable = 2 + topicBytes + (qos > 0 ? 2 : 0)
    const header = 1 + varintLength(variable + payload.length) + variable
    let offset = 0
    let room = Math.max(1, MQTT_BUFFER - header)
    do {
      const chunk = payload.subarray(offset, offset + room)
      runtime.record([Buffer.from(`+MQTTSUBRECV:0,"${topic}",${chunk.length},`), chunk, Buffer.from('\r\n')], { unsolicited: true })
      offset += chunk.length
      room = MQTT_BUFFER
    } while (offset < payload.length)
    this.received++
    const after = runtime.profile.faults.dropMqtt?.afterMessages
    if (after !== undefined && this.received === after) this.dropTransport()
  }

  private armFault(client: Client): void {
    const runtime = this.runtime!
    const afterMs = runtime.profile.faults.dropMqtt?.afterMs
    if (afterMs !== undefined) this.timers.push(runtime.after(afterMs, () => this.client === client && this.dropTransport()))
  }

  private drop(): void {
    const client = this.client
    this.client = undefined
    client?.removeAllListeners('close')
    client?.end(true)
  }

  private withTimeout(timeoutMs: number, run: (done: (ok: boolean) => void) => void): Promise<boolean> {
    return new Promise((resolve) => {
      let settled = false
      const done = (ok: boolean) => {
        if (settled) return
        settled = true
        timer.cancel()
        resolve(ok)
      }
      // A boot that ends meanwhile cancels the timer; its command is gone with it.
      const cancel = this.runtime!.after(timeoutMs, () => done(false))
      const timer = { cancel }
      run(done)
    })
  }
}

/**
 * MQTT.js is CommonJS: Node gives its exports as named ones, the CLI's bundle (esbuild) only as
 * `default`.
 */
async function mqttClientClass(): Promise<typeof Client> {
  const mod = (await import('mqtt')) as unknown as { MqttClient?: typeof Client; default?: { MqttClient: typeof Client } }
  return mod.MqttClient ?? mod.default!.MqttClient
}

/** Bytes of MQTT's variable-length "remaining length". */
function varintLength(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4
}
