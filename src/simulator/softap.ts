/** AT+CWSAP's settings. */
export interface SoftApConfig {
  ssid: string
  password: string
  channel: number
  /** 0 OPEN, 2 WPA_PSK, 3 WPA2_PSK, 4 WPA_WPA2_PSK (WEP is not supported). */
  ecn: 0 | 2 | 3 | 4
  maxConn: number
  hidden: 0 | 1
}

/** AT+CIPAP's addresses. */
export interface SoftApAddress {
  ip: string
  gateway: string
  netmask: string
}

export const DEFAULT_SOFTAP_ADDRESS: SoftApAddress = { ip: '192.168.4.1', gateway: '192.168.4.1', netmask: '255.255.255.0' }

/** ESP chips derive the SoftAP MAC from the station's by adding one to the last byte. */
export function softApMac(stationMac: string): string {
  const bytes = stationMac.split(':').map((h) => Number.parseInt(h, 16))
  bytes[5] = (bytes[5]! + 1) & 0xff
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':')
}

/** ESP-IDF's factory SoftAP: `ESP_` and the last three bytes of its MAC, open, channel 1 [inf]. */
export function defaultSoftAp(stationMac: string): SoftApConfig {
  const tail = softApMac(stationMac).split(':').slice(3).join('').toUpperCase()
  return { ssid: `ESP_${tail}`, password: '', channel: 1, ecn: 0, maxConn: 10, hidden: 0 }
}
