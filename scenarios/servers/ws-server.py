#!/usr/bin/env python
# The echo server of the ESP-AT "WebSocket AT examples" page (TCP example), with the host and
# port taken from arguments instead of being edited into the file.
import argparse
import asyncio

import websockets
from websockets.server import serve

parser = argparse.ArgumentParser(description="WebSocket echo server (ESP-AT doc example)")
parser.add_argument("--host", default="127.0.0.1", help="address to listen on (the PC's IP address)")
parser.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
args = parser.parse_args()
host, port = args.host, args.port


async def echo(websocket, path=None):  # `path` keeps websockets < 10.1 and >= 14 both happy
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass  # a client that drops the TCP connection is not an error for an echo server


async def main():
    async with serve(echo, host, port):
        print(f"Server started at ws://{host}:{port}", flush=True)
        await asyncio.get_running_loop().create_future()  # run forever


asyncio.run(main())
