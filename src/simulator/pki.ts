import { readFileSync } from 'node:fs'
import type { X509Certificate } from 'node:crypto'
import type { DeviceProfile } from './profile.ts'
import { parsePemCertificates } from './tls-verify.ts'

/**
 * The device's PKI partition (wss_cert.N, wss_key.N, wss_ca.N in mfg_nvs, reference §7.9): PEM
 * files named by the profile, read when a TLS connection needs them.
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
}
