#!/usr/bin/env python
# The TLS echo server of the ESP-AT "WebSocket AT examples" page (TLS-based WebSocket connection,
# mutual authentication), in the doc's own shape: it requires a client certificate signed by
# server_ca (CERT_REQUIRED) and uses the legacy `echo(websocket, path)` handler with
# get_event_loop().run_until_complete. The host, port and the three certificate files come from
# arguments instead of being edited into the file.
import argparse
import asyncio
import ssl

import websockets

parser = argparse.ArgumentParser(description="WebSocket TLS echo server with client authentication (ESP-AT doc example)")
parser.add_argument("--host", default="127.0.0.1", help="address to listen on (the PC's IP address)")
parser.add_argument("--port", type=int, default=8766, help="TCP port (default 8766)")
parser.add_argument("--ca", required=True, help="CA that signed the client (device) certificates: server_ca.crt")
parser.add_argument("--cert", required=True, help="the server's certificate: server.crt")
parser.add_argument("--key", required=True, help="the server's private key: server.key")
args = parser.parse_args()

host = args.host
port = args.port
server_ca = args.ca
server_cert = args.cert
server_key = args.key


async def echo(websocket, path=None):  # `path=None`: websockets >= 13 passes only the connection
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass  # a client that drops the TCP connection (AT+WSCLOSE does) is not an error for an echo server


ssl_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ssl_context.load_cert_chain(certfile=server_cert, keyfile=server_key)
ssl_context.verify_mode = ssl.CERT_REQUIRED
ssl_context.load_verify_locations(server_ca)

start_server = websockets.serve(echo, host, port, ssl=ssl_context)

asyncio.get_event_loop().run_until_complete(start_server)
print(f"Server started at wss://{host}:{port}", flush=True)

asyncio.get_event_loop().run_forever()
