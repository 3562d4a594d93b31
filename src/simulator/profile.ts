import { fileURLToPath } from 'node:url'

/** An access point the simulated station can join (AT+CWJAP). */
export interface AccessPoint {
  ssid: string
  password: string
  /** How long association and DHCP take. */
  joinDelayMs: number
  /** The station address handed out by the access point's DHCP. */
  ip: string
  gateway: string
  netmask: string
  bssid: string
  channel: number
  rssi: number
  /** false: the station associates but never gets an address (AT+CWJAP then reports `+CWJAP:1`). */
  dhcp: boolean
  /** true: it turns every association down for a reason other than the password (`+CWJAP:4`). */
  rejects: boolean
  /** Its encryption as AT+CWLAP's `<ecn>` numbers it: 0 open, 3 WPA2_PSK... */
  ecn: number
}

/** How often a link or client loses its network: after so many received messages, or after a time. */
export interface DropAfter {
  afterMessages?: number
  afterMs?: number
}

/** Faults to inject; every one is off unless set. They act on the real output path and links. */
export interface Faults {
  /** Seeds every random choice below, so a faulty run is reproducible. */
  seed: number
  /** Each write of the device arrives as several reads of 1..maxBytes bytes. */
  splitWrites?: { maxBytes: number }
  /** Emulates the UART's line rate in both directions (10 bit times per byte). */
  baudRate?: number
  /** Time between a complete command line and its handler starting; input meanwhile gets `busy p...`. */
  commandLatencyMs?: number
  /** Random bytes printed before every `ready`, as line noise around a reset. */
  bootGarbageBytes?: number
  /** The device resets (as by its watchdog) when it receives its Nth command after power-on, once. */
  rebootAfterCommands?: number
  /** Drops the transport of every open WebSocket link after N received messages or after a time, each time it connects. */
  dropWebSocket?: DropAfter
  /** The peer of every TCP/SSL link closes it (a FIN) after N received messages or after a time: `CLOSED`. */
  closeSockets?: DropAfter
  /** The broker connection is lost after N received messages or after a time: `+MQTTDISCONNECTED`, then reconnection. */
  dropMqtt?: DropAfter
  /** Length-framed records (`+IPD`, `+MQTTSUBRECV`, `+HTTPCLIENT`...) written in pieces, this far apart. */
  splitRecords?: { gapMs: number }
  /** URCs held up to this long, to come out inside the next echo or between the next prompt's OK and `>`. */
  interleaveUrcs?: { holdMs: number }
}

/** What the simulated device is: its firmware, its surroundings, its credentials and its faults. */
export interface DeviceProfile {
  /** Lines printed by AT+GMR before OK, verbatim. */
  gmr: string[]
  /** From a reset (AT+RST, AT+RESTORE, a fault) to `ready`. */
  bootTimeMs: number
  /** Station MAC address. */
  mac: string
  accessPoints: AccessPoint[]
  wifi: {
    /** How long AT+CWLAP scans (about 120 ms per channel for an active scan). */
    scanTimeMs: number
  }
  network: {
    /** Names the device's DNS resolves before asking this computer's resolver (AT+CIPDOMAIN, host names in AT+CIPSTART...). */
    hosts: Record<string, string>
    /** AT+CIPSTART's connect timeout when its `<timeout>` is 0 or left out (lwIP's own retries, about 20 s). */
    connectTimeoutMs: number
  }
  sntp: {
    /** What the SNTP servers answer: the host's clock, or a fixed moment (ms since the epoch, UTC). */
    time: 'host' | number
    /** From AT+CIPSNTPCFG=1 (with an IP address) to the first sync and `+TIME_UPDATED`. */
    syncDelayMs: number
    /** false: no server answers, the clock keeps reading 1970. */
    reachable: boolean
  }
  websocket: {
    /** Wait between a lost link and each reconnection attempt (10 s in esp_websocket_client). */
    reconnectDelayMs: number
    /** Connect/read/write timeout of a reconnection attempt (fixed 10 s in the firmware). */
    networkTimeoutMs: number
  }
  mqtt: {
    /** Wait between a lost broker connection and each reconnection attempt (esp-mqtt's 10 s). */
    reconnectDelayMs: number
  }
  /**
   * PEM files of the device's mfg_nvs PKI partition, absolute paths; the index is the list position.
   * The client lists stand for every namespace the firmware reads for that role: wss (AT+WSCFG),
   * SSL links (AT+CIPSSLCCONF) and MQTT over TLS alike.
   */
  pki: {
    /** wss_cert.N: client certificates (AT+WSCFG `<pki_number>`). */
    clientCerts: string[]
    /** wss_key.N: their private keys (same index). */
    clientKeys: string[]
    /** wss_ca.N: CA certificates that verify servers (AT+WSCFG `<ca_number>`). */
    caCerts: string[]
    /** server_cert.N / server_key.N: the device's own certificate when it is an SSL server (AT+CIPSERVER). */
    serverCerts: string[]
    serverKeys: string[]
    /** server_ca.N: CAs that verify clients of the device's SSL server (AT+CIPSERVER `<CA enable>`). */
    serverCas: string[]
  }
  faults: Faults
}

const PROJECT_PKI = (name: string) => fileURLToPath(new URL(`../../scenarios/pki/${name}`, import.meta.url))

/**
 * The default device: the doc's router (`AT+CWJAP="espressif","1234567890"`), the AT+GMR lines of
 * the doc's ESP32-C3 example, and the project's own test PKI (scenarios/pki/make-pki.sh), which
 * trusts the server certificate that scenarios/tls-echo.yaml gives the Python server on the simulator.
 */
export const DEFAULT_PROFILE: DeviceProfile = {
  gmr: [
    'AT version:3.3.0.0(3b13d04 - ESP32C3 - May  8 2024 08:21:54)',
    'SDK version:v5.0.6-dirty',
    'compile time(be332568):May  8 2024 08:51:33',
    'Bin version:v3.3.0.0(MINI-1)',
  ],
  bootTimeMs: 50,
  mac: '24:0a:c4:00:00:01',
  accessPoints: [
    {
      ssid: 'espressif',
      password: '1234567890',
      joinDelayMs: 150,
      ip: '192.168.200.134',
      gateway: '192.168.200.1',
      netmask: '255.255.255.0',
      bssid: 'ca:d7:19:d8:a6:44',
      channel: 6,
      rssi: -45,
      dhcp: true,
      rejects: false,
      ecn: 3,
    },
  ],
  wifi: { scanTimeMs: 1500 },
  network: { hosts: {}, connectTimeoutMs: 20_000 },
  sntp: { time: 'host', syncDelayMs: 1000, reachable: true },
  websocket: { reconnectDelayMs: 10_000, networkTimeoutMs: 10_000 },
  mqtt: { reconnectDelayMs: 10_000 },
  pki: {
    clientCerts: [PROJECT_PKI('client.crt')],
    clientKeys: [PROJECT_PKI('client.key')],
    caCerts: [PROJECT_PKI('ca.crt')],
    serverCerts: [PROJECT_PKI('server.crt')],
    serverKeys: [PROJECT_PKI('server.key')],
    serverCas: [PROJECT_PKI('ca.crt')],
  },
  faults: { seed: 1 },
}

/** A profile with some settings changed: maps merge key by key, lists and values replace. */
export function withOverrides(base: DeviceProfile, overrides: DeepPartial<DeviceProfile>): DeviceProfile {
  return merge(base, overrides) as DeviceProfile
}

export type DeepPartial<T> = T extends (infer U)[] ? U[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base }
    for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v)
    return out
  }
  return over
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
