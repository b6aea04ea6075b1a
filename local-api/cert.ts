// A TEST-ONLY certificate and key for 127.0.0.1 and localhost, committed beside this file so
// the local API can serve HTTPS (GHES over TLS) without building one at start. Its key is
// public: never trust it outside tests. Self-signed and marked as a CA (clients trust it
// directly through NODE_EXTRA_CA_CERTS or `ca`), valid until 2126. Made once with:
//   openssl req -x509 -newkey rsa:2048 -nodes -days 36500 -subj /CN=localhost \
//     -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
//     -keyout localhost-test.key -out localhost-test.crt

import { readFileSync } from 'node:fs'

export function testCertificate(): { certPem: string; keyPem: string } {
  return {
    certPem: readFileSync(new URL('./localhost-test.crt', import.meta.url), 'utf8'),
    keyPem: readFileSync(new URL('./localhost-test.key', import.meta.url), 'utf8')
  }
}
