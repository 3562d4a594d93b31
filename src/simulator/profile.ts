/** An access point the simulated station can join. */
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
}

/** What the simulated device is: its environment and its firmware. */
export interface DeviceProfile {
  accessPoints: AccessPoint[]
  mac: string
}

/** The doc's router: `AT+CWJAP="espressif","1234567890"`. */
export const DEFAULT_PROFILE: DeviceProfile = {
  accessPoints: [
    {
      ssid: 'espressif',
      password: '1234567890',
      joinDelayMs: 150,
      ip: '192.168.4.2',
      gateway: '192.168.4.1',
      netmask: '255.255.255.0',
      bssid: 'ca:d7:19:d8:a6:44',
      channel: 6,
      rssi: -45,
    },
  ],
  mac: '24:0a:c4:00:00:01',
}
