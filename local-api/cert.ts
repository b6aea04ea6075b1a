// A self-signed X.509 certificate built with node:crypto alone (no openssl binary needed):
// just enough DER to describe one RSA key valid for 127.0.0.1 and localhost, marked as a
// CA so clients can trust it directly through NODE_EXTRA_CA_CERTS or `ca`.

import { generateKeyPairSync, randomBytes, sign } from 'node:crypto'

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n])
  const bytes: number[] = []
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff)
  return Buffer.from([0x80 | bytes.length, ...bytes])
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), len(content.length), content])
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts))
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts))
const explicit = (n: number, inner: Buffer) => tlv(0xa0 + n, inner)
const octets = (b: Buffer) => tlv(0x04, b)
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'))
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]))
const NULL = Buffer.from([0x05, 0x00])

function integer(b: Buffer): Buffer {
  // DER integers are signed: a leading 1 bit needs a zero byte in front.
  return tlv(0x02, b[0] & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b)
}

function bitString(b: Buffer): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([0]), b]))
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number)
  const out = [40 * a + b]
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f]
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f))
    out.push(...chunk)
  }
  return tlv(0x06, Buffer.from(out))
}

function time(d: Date): Buffer {
  // UTCTime covers 1950-2049, which is all a throwaway test certificate needs.
  const s = d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'
  return tlv(0x17, Buffer.from(s, 'ascii'))
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value))
}

export interface SelfSignedCert {
  certPem: string
  keyPem: string
}

export function makeSelfSignedCert(commonName = 'localhost', validDays = 30): SelfSignedCert {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const sha256WithRsa = seq(oid('1.2.840.113549.1.1.11'), NULL)
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))))
  const now = Date.now()
  const serial = randomBytes(16)
  serial[0] &= 0x7f
  const san = seq(tlv(0x82, Buffer.from('localhost')), tlv(0x87, Buffer.from([127, 0, 0, 1])))
  const extensions = seq(
    extension('2.5.29.19', true, seq(bool(true))), // basicConstraints CA:TRUE
    extension('2.5.29.15', true, tlv(0x03, Buffer.from([0x02, 0xa4]))), // keyUsage: digitalSignature, keyEncipherment, keyCertSign
    extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
    extension('2.5.29.17', false, san) // subjectAltName: DNS:localhost, IP:127.0.0.1
  )
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    sha256WithRsa,
    name,
    seq(time(new Date(now - 86400_000)), time(new Date(now + validDays * 86400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions)
  )
  const signature = sign('sha256', tbs, privateKey)
  const der = seq(tbs, sha256WithRsa, bitString(signature))
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()
  return {
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  }
}
