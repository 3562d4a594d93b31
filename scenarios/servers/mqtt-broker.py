#!/usr/bin/env python3
# Starts mosquitto for the ESP-AT "MQTT AT Examples" with mosquitto.conf (next to this file) and
# the listeners the scenario asks for: plain MQTT on --port, MQTT over TLS on --tls-port (a client
# certificate required with --ca), MQTT over WebSocket on --ws-port (over TLS when --cert is given).
# mosquitto's own WebSocket listener binds every interface whatever address it is given, so the
# WebSocket side is a bridge here (the `websockets` module, as for the WebSocket examples) to a
# plain listener of mosquitto on 127.0.0.1. The generated config lives in a temporary folder
# removed when mosquitto ends; SIGTERM and SIGINT stop both. Needs the Debian package `mosquitto`.
import argparse
import asyncio
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser(description="mosquitto for the ESP-AT MQTT examples")
parser.add_argument("--host", default="127.0.0.1", help="address to listen on (the PC's IP address)")
parser.add_argument("--port", type=int, help="plain MQTT (scheme 1)")
parser.add_argument("--tls-port", type=int, help="MQTT over TLS (schemes 2 to 5)")
parser.add_argument("--ws-port", type=int, help="MQTT over WebSocket (schemes 6 to 10)")
parser.add_argument("--cert", help="the broker's certificate (TLS and WSS)")
parser.add_argument("--key")
parser.add_argument("--ca", help="with --tls-port: require client certificates signed by this CA")
args = parser.parse_args()

if shutil.which("mosquitto") is None:
    sys.exit("mosquitto is not installed: apt-get install mosquitto (scripts/setup.sh installs it)")
here = os.path.dirname(os.path.abspath(__file__))
for name in ("cert", "key", "ca"):
    if getattr(args, name):
        setattr(args, name, os.path.abspath(getattr(args, name)))  # mosquitto reads them later
lines = [open(os.path.join(here, "mosquitto.conf")).read()]
# Started as root, mosquitto becomes user "mosquitto" before it reads the certificates, which may
# lie where only this user can read (a private temporary clone): it stays the user who started it.
lines.append(f"user {pwd.getpwuid(os.getuid()).pw_name}")
if args.port:
    lines.append(f"listener {args.port} {args.host}")
if args.tls_port:
    lines += [f"listener {args.tls_port} {args.host}", f"certfile {args.cert}", f"keyfile {args.key}"]
    if args.ca:
        lines += [f"cafile {args.ca}", "require_certificate true"]
bridged = None
if args.ws_port:
    # The bridge's side of mosquitto: a free loopback port.
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        bridged = probe.getsockname()[1]
    lines.append(f"listener {bridged} 127.0.0.1")

folder = tempfile.mkdtemp(prefix="at-scenario-mosquitto-")
config = os.path.join(folder, "mosquitto.conf")
with open(config, "w") as f:
    f.write("\n".join(lines) + "\n")
broker = subprocess.Popen(["mosquitto", "-c", config])


async def bridge():
    import ssl

    import websockets

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)

    async def session(ws, path=None):  # `path` keeps websockets < 10.1 and >= 14 both happy
        reader, writer = await asyncio.open_connection("127.0.0.1", bridged)

        async def up():
            async for message in ws:
                writer.write(message if isinstance(message, bytes) else message.encode())
                await writer.drain()
            writer.close()

        async def down():
            while data := await reader.read(4096):
                await ws.send(data)
            await ws.close()

        tasks = [asyncio.ensure_future(up()), asyncio.ensure_future(down())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in tasks:
            t.cancel()
        writer.close()

    loop = asyncio.get_running_loop()
    stopped = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stopped.done() or stopped.set_result(None))
    async with websockets.serve(session, args.host, args.ws_port, subprotocols=["mqtt"], ssl=context):
        while not stopped.done() and broker.poll() is None:
            await asyncio.wait([stopped], timeout=0.2)


def stop(signum, frame):
    broker.send_signal(signal.SIGTERM)


try:
    if bridged:
        asyncio.run(bridge())
        broker.send_signal(signal.SIGTERM)
    else:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    code = broker.wait()
finally:
    shutil.rmtree(folder, ignore_errors=True)
sys.exit(code)
