#!/usr/bin/env python3
# The PC-side TCP (or SSL) server of the ESP-AT "TCP/IP AT Examples": it echoes what the ESP sends,
# or answers every piece with --reply, and with --greet sends some bytes on its own once the ESP
# has been connected for --greet-delay seconds ("the TCP server sends 4 bytes of data").
# Python standard library only.
import argparse
import socket
import ssl
import threading
import time

parser = argparse.ArgumentParser(description="TCP/SSL server for the ESP-AT TCP/IP examples")
parser.add_argument("--host", default="127.0.0.1", help="address to listen on (the PC's IP address)")
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--reply", help="send this after every piece received, instead of echoing it")
parser.add_argument("--greet", help="send this once a client has been connected for --greet-delay seconds")
parser.add_argument("--greet-delay", type=float, default=1.0)
parser.add_argument("--tls", action="store_true", help="SSL server (needs --cert and --key)")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--ca", help="require a client certificate signed by this CA (mutual authentication)")
args = parser.parse_args()

context = None
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.ca:
        context.load_verify_locations(args.ca)
        context.verify_mode = ssl.CERT_REQUIRED


def serve(conn):
    with conn:
        if args.greet:
            def greet():
                time.sleep(args.greet_delay)
                try:
                    conn.sendall(args.greet.encode())
                except OSError:
                    pass
            threading.Thread(target=greet, daemon=True).start()
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            conn.sendall(args.reply.encode() if args.reply is not None else data)


listener = socket.create_server((args.host, args.port), reuse_port=False)
print(f"{'SSL' if args.tls else 'TCP'} server listening on {args.host}:{args.port}", flush=True)
while True:
    raw, _ = listener.accept()
    try:
        conn = context.wrap_socket(raw, server_side=True) if context else raw
    except (ssl.SSLError, OSError):
        raw.close()  # a client that failed the handshake (no certificate, say) is not fatal
        continue
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
