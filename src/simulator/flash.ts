import type { SoftApAddress, SoftApConfig } from './softap.ts'

/** Mode of the Wi-Fi radio (AT+CWMODE): 0 off, 1 station, 2 SoftAP, 3 both. */
export type WifiMode = 0 | 1 | 2 | 3

/** What AT+CWJAP was given: the station's configuration. */
export interface StationConfig {
  ssid: string
  password: string
  bssid?: string
  reconnectIntervalSec: number
  listenInterval: number
  scanMode: number
  japTimeoutSec: number
  pmf: number
}

/**
 * Settings the firmware keeps in flash: they survive AT+RST and are saved only while AT+SYSSTORE
 * is 1; AT+RESTORE puts back these factory values.
 */
export class Flash {
  sysstore = true
  wifiMode: WifiMode = 1
  /** The stored access point; joined at boot (auto-connect) when the mode includes the station. */
  station: StationConfig | undefined
  autoConnect = true
  sysmsg = 0
  /** AT+CWSAP and AT+CIPAP as saved; undefined: the factory settings. */
  softAp: SoftApConfig | undefined
  softApAddress: SoftApAddress | undefined
}
