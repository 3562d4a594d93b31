#!/usr/bin/env python3
# The PC-side UDP endpoint of the ESP-AT UDP examples: it echoes each datagram to its sender, or
# answers with --reply, or with --silent only receives. Python standard library only.
import argparse
import socket

parser = argparse.ArgumentParser(description="UDP endpoint for the ESP-AT UDP examples")
parser.add_argument("--host", default="127.0.0.1", help="address to listen on (the PC's IP address)")
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--reply", help="answer every datagram with this, instead of echoing it")
parser.add_argument("--silent", action="store_true", help="receive only")
args = parser.parse_args()

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((args.host, args.port))
print(f"UDP endpoint on {args.host}:{args.port}", flush=True)
while True:
    data, sender = sock.recvfrom(65535)
    print(f"{len(data)} bytes from {sender[0]}:{sender[1]}", flush=True)
    if not args.silent:
        sock.sendto(args.reply.encode() if args.reply is not None else data, sender)
