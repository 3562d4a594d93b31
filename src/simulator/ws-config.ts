/** auth_mode of AT+WSCFG: 0 none, 1 client certificate, 2 verify the server, 3 both (reference §7.1). */
export type AuthMode = 0 | 1 | 2 | 3

/** One link's AT+WSCFG. */
export interface WsConfig {
  pingIntervalSec: number
  pingTimeoutSec: number
  /** Client buffer: the chunk size of `+WS_DATA` and the fragment size of sends. */
  bufferSize: number
  authMode: AuthMode
  /** Index of the client certificate and key (auth modes 1 and 3). */
  pkiNumber?: number
  /** Index of the CA that verifies the server (auth modes 2 and 3). */
  caNumber?: number
}

/** What a link uses when AT+WSCFG was never given, or its configuration was wiped. */
export const DEFAULT_WS_CONFIG: WsConfig = { pingIntervalSec: 10, pingTimeoutSec: 120, bufferSize: 1024, authMode: 0 }

/** Largest buffer_size and AT+WSSEND length (master firmware; 8192 up to v5.0.1.0). */
export const MAX_BUFFER_SIZE = 16_384

/** AT+WSDATAFMT (reference §7.5, §7.8). */
export interface WsDataFormat {
  /** 0 header and trailer on every chunk, 1 per frame, 2 per message. */
  level: 0 | 1 | 2
  /** bit0 opcode, bit1 fin, bit2 payload_len, bit3 payload_offset, bit4 data_len, bit5 trailing CR LF. */
  mask: number
}

export const DEFAULT_DATA_FORMAT: WsDataFormat = { level: 0, mask: 48 }
