import { X509Certificate } from 'node:crypto'

/** Why a server's certificate chain was refused, in mbedTLS's terms (MBEDTLS_X509_BADCERT_*). */
export type ChainProblem = 'expired' | 'not-yet-valid' | 'not-trusted'

export type ChainVerdict = { ok: true } | { ok: false; problem: ChainProblem; subject: string; detail: string }

/** mbedTLS's MBEDTLS_X509_MAX_INTERMEDIATE_CA. */
const MAX_DEPTH = 8

/**
 * Verifies a server's chain as the firmware's mbedTLS does with a CA loaded (auth modes 2 and 3,
 * reference §7.9): every certificate on the path, the trusted root included, must be valid at
 * `nowMs`, the DEVICE's clock (so a device that has not synced SNTP, reading 1970, refuses every
 * server); each must be signed by the next, which must be a CA; the path must end at one of the
 * device's CAs. The host name is never compared with the certificate (skip_cert_common_name_check).
 *
 * `chain` is what the server sent, leaf first. `nowMs` undefined: validity periods are not checked.
 */
export function verifyServerChain(chain: readonly X509Certificate[], trusted: readonly X509Certificate[], nowMs: number | undefined): ChainVerdict {
  let child = chain[0]
  if (!child) return { ok: false, problem: 'not-trusted', subject: '(none)', detail: 'the server sent no certificate' }
  const pool = chain.slice(1)
  let childTrusted = trusted.some((t) => t.raw.equals(child!.raw))
  for (let depth = 0; depth <= MAX_DEPTH; depth++) {
    const timeProblem = nowMs === undefined ? undefined : checkTime(child, nowMs)
    if (timeProblem) return timeProblem
    if (childTrusted) return { ok: true }
    // Like mbedTLS, look for the parent among the trusted CAs first, then in what the server sent.
    let parent = trusted.find((t) => isParent(child!, t))
    const parentTrusted = parent !== undefined
    parent ??= pool.find((c) => c !== child && isParent(child!, c))
    if (!parent) {
      return { ok: false, problem: 'not-trusted', subject: child.subject, detail: `no CA of the device signed "${oneLine(child.subject)}"` }
    }
    child = parent
    childTrusted = parentTrusted
  }
  return { ok: false, problem: 'not-trusted', subject: child.subject, detail: 'the chain is too long' }
}

function checkTime(cert: X509Certificate, nowMs: number): ChainVerdict | undefined {
  const from = Date.parse(cert.validFrom)
  const to = Date.parse(cert.validTo)
  const at = new Date(nowMs).toISOString()
  if (nowMs > to) return { ok: false, problem: 'expired', subject: cert.subject, detail: `"${oneLine(cert.subject)}" expired ${cert.validTo}; device clock ${at}` }
  if (nowMs < from) return { ok: false, problem: 'not-yet-valid', subject: cert.subject, detail: `"${oneLine(cert.subject)}" is valid from ${cert.validFrom}; device clock ${at}` }
  return undefined
}

/** Issuer name (and key identifiers, key usage) match, the parent is a CA, and its key verifies the signature. */
function isParent(child: X509Certificate, parent: X509Certificate): boolean {
  return child.checkIssued(parent) && parent.ca && child.verify(parent.publicKey)
}

function oneLine(name: string): string {
  return name.split('\n').join(', ')
}

/** Every certificate in a PEM text (a CA file may hold several). */
export function parsePemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  return blocks.map((b) => new X509Certificate(b))
}
