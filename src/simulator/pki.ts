import { readFileSync } from 'node:fs'
import type { X509Certificate } from 'node:crypto'
import type { DeviceProfile } from './profile.ts'
import type { TlsCredentials } from './transport.ts'
import type { AuthMode } from './ws-config.ts'
import { parsePemCertificates } from './tls-verify.ts'

/**
 * The device's PKI partition (wss_cert.N, wss_key.N, wss_ca.N in mfg_nvs, reference §7.9, and the
 * client_*, mqtt_* and server_* namespaces of the other TLS users): PEM files named by the
 * profile, read when a TLS connection needs them.
 */
export class Pki {
  private readonly files: DeviceProfile['pki']

  constructor(files: DeviceProfile['pki']) {
    this.files = files
  }

  hasClientCert(index: number): boolean {
    return index < this.files.clientCerts.length
  }

  hasClientKey(index: number): boolean {
    return index < this.files.clientKeys.length
  }

  hasCa(index: number): boolean {
    return index < this.files.caCerts.length
  }

  clientCert(index: number): string {
    return readFileSync(this.files.clientCerts[index]!, 'utf8')
  }

  clientKey(index: number): string {
    return readFileSync(this.files.clientKeys[index]!, 'utf8')
  }

  ca(index: number): X509Certificate[] {
    return parsePemCertificates(readFileSync(this.files.caCerts[index]!, 'utf8'))
  }

  /**
   * What the firmware prints before ERROR when a TLS configuration names an entry the partition
   * lacks (AT+WSCFG, AT+CIPSSLCCONF, AT+MQTTUSERCFG's schemes): undefined when all are there.
   */
  missing(authMode: AuthMode, pkiNumber: number, caNumber: number): string | undefined {
    const presents = authMode === 1 || authMode === 3
    const verifies = authMode === 2 || authMode === 3
    if (presents && !this.hasClientCert(pkiNumber)) return 'NO CERT FOUND'
    if (presents && !this.hasClientKey(pkiNumber)) return 'NO PRVT_KEY FOUND'
    if (verifies && !this.hasCa(caNumber)) return 'NO CA FOUND'
    return undefined
  }

  /** A client's TLS credentials for an auth mode; throws when a PEM file can no longer be read. */
  clientCredentials(authMode: AuthMode, pkiNumber: number, caNumber: number): TlsCredentials {
    const tls: TlsCredentials = { authMode }
    if (authMode === 1 || authMode === 3) {
      tls.cert = this.clientCert(pkiNumber)
      tls.key = this.clientKey(pkiNumber)
    }
    if (authMode === 2 || authMode === 3) tls.cas = this.ca(caNumber)
    return tls
  }

  hasServerCert(index: number): boolean {
    return index < this.files.serverCerts.length && index < this.files.serverKeys.length
  }

  /** The device's own certificate and key (server_cert.N, server_key.N), for its SSL server. */
  serverCredentials(index: number): { cert: string; key: string } {
    return { cert: readFileSync(this.files.serverCerts[index]!, 'utf8'), key: readFileSync(this.files.serverKeys[index]!, 'utf8') }
  }

  hasServerCa(index: number): boolean {
    return index < this.files.serverCas.length
  }

  serverCa(index: number): X509Certificate[] {
    return parsePemCertificates(readFileSync(this.files.serverCas[index]!, 'utf8'))
  }
}
