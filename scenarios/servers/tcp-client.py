#!/usr/bin/env python3
# The PC-side TCP (or SSL) client of the ESP-AT examples where the ESP is the server
# (AT+CIPSERVER): it connects to the ESP's server as soon as there is one (trying every 50 ms),
# echoes what the ESP sends (or answers with --reply), and stays up after the ESP closes the
# link, so that the scenario decides when it ends. Python standard library only.
import argparse
import socket
import ssl
import sys
import time

parser = argparse.ArgumentParser(description="TCP/SSL client for the ESP-AT server examples")
parser.add_argument("--host", required=True, help="the ESP's address")
parser.add_argument("--port", type=int, required=True, help="the port of the ESP's server")
parser.add_argument("--reply", help="send this after every piece received, instead of echoing it")
parser.add_argument("--tls", action="store_true", help="connect over SSL (the ESP's certificate is not checked)")
parser.add_argument("--cert", help="client certificate, for a server with <CA enable> 1")
parser.add_argument("--key")
parser.add_argument("--wait", type=float, default=120.0, help="give up after this many seconds without a server")
args = parser.parse_args()

print(f"client for {args.host}:{args.port} started", flush=True)
deadline = time.monotonic() + args.wait
while True:
    try:
        raw = socket.create_connection((args.host, args.port), timeout=5)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(f"no server on {args.host}:{args.port} within {args.wait} s")
        time.sleep(0.05)
conn = raw
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if args.cert:
        context.load_cert_chain(args.cert, args.key)
    conn = context.wrap_socket(raw)
conn.settimeout(None)
print(f"connected to {args.host}:{args.port}", flush=True)
while True:
    try:
        data = conn.recv(4096)
    except OSError:
        break
    if not data:
        break
    conn.sendall(args.reply.encode() if args.reply is not None else data)
print("the ESP closed the connection", flush=True)
while True:
    time.sleep(3600)
