#!/bin/sh
# Makes the simulator's own test PKI (the files next to this script, committed so that a fresh
# clone works without running it):
#   ca.crt                  root CA: the simulator's CA #0 (it verifies the server) and the CA the
#                           Python server trusts (it signed the device's client certificate)
#   client.crt, client.key  the simulated device's client certificate #0 and its key
#   server.crt, server.key  the Python TLS echo server's certificate, for 127.0.0.1 and localhost
# Validity ends on 31 Dec 2049 (the last date an X.509 UTCTime can hold). The CA's private key is
# thrown away: run this script again to make a new set. Test credentials only: never use them
# for anything real.
set -eu
cd "$(dirname "$0")"
command -v openssl >/dev/null || { echo "openssl is needed: apt-get install openssl" >&2; exit 1; }

days=$(( ($(date -u -d 2049-12-31T23:59:59Z +%s) - $(date -u +%s)) / 86400 ))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

key() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }

# Root CA, self-signed.
key "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days "$days" \
  -subj "/C=CN/O=at-scenario test PKI/CN=at-scenario test root CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -addext "subjectKeyIdentifier=hash" \
  -out ca.crt

# sign NAME SUBJECT EXTENSIONS: a key and a certificate signed by the root CA.
sign() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "$2" -out "$tmp/$1.csr"
  printf '%s\n' "$3" > "$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA ca.crt -CAkey "$tmp/ca.key" -CAcreateserial -CAserial "$tmp/ca.srl" \
    -sha256 -days "$days" -extfile "$tmp/$1.ext" -out "$1.crt" 2>/dev/null
}

sign server "/C=CN/O=at-scenario test PKI/CN=127.0.0.1" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier=keyid"

sign client "/C=CN/O=at-scenario test PKI/CN=at-scenario simulated ESP-AT device" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
authorityKeyIdentifier=keyid"

openssl verify -CAfile ca.crt server.crt client.crt
