#!/usr/bin/env python3
# A small stand-in for httpbin.org, the server of the ESP-AT "HTTP AT Examples", so that they run
# offline: /get, /post, /put and /delete answer a JSON echo of the request (args, data, form,
# headers, json, origin, url) as httpbin does; /image answers a made-up JPEG-like binary body;
# /status/<code> answers that status. HEAD works on every path. With --tls it is an https server.
# Python standard library only.
import argparse
import json
import ssl
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

parser = argparse.ArgumentParser(description="httpbin-like server for the ESP-AT HTTP examples")
parser.add_argument("--host", default="127.0.0.1", help="address to listen on (the PC's IP address)")
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--tls", action="store_true", help="https (needs --cert and --key)")
parser.add_argument("--cert")
parser.add_argument("--key")
args = parser.parse_args()


def image(size=4096):
    # A JPEG's first bytes (SOI, APP2), then a repeating pattern: binary, with CR, LF and NUL in it.
    head = bytes([0xFF, 0xD8, 0xFF, 0xE2, 0x0C, 0x58])
    body = bytes((i * 7 + 13) % 256 for i in range(size - len(head)))
    return head + body


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *log_args):
        print(f"{self.command} {self.path}", flush=True)

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def echo(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        text = data.decode("utf-8", "replace")
        form = {}
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            form = {k: v[0] for k, v in parse_qs(text).items()}
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        scheme = "https" if args.tls else "http"
        out = {
            "args": {k: v[0] for k, v in parse_qs(url.query).items()},
            "data": "" if form else text,
            "files": {},
            "form": form,
            "headers": {k: v for k, v in self.headers.items()},
            "json": parsed,
            "origin": self.client_address[0],
            "url": f"{scheme}://{self.headers.get('Host', args.host)}{self.path}",
        }
        return (json.dumps(out, indent=2) + "\n").encode()

    def route(self):
        path = urlsplit(self.path).path
        if path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self.answer(code, b"", "text/html")
        elif path == "/image":
            self.answer(200, image(), "image/jpeg")
        elif path in ("/get", "/post", "/put", "/delete", "/anything"):
            self.answer(200, self.echo(), "application/json")
        else:
            self.answer(404, b"not found\n", "text/plain")

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = route


server = ThreadingHTTPServer((args.host, args.port), Handler)
if args.tls:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
print(f"HTTP{'S' if args.tls else ''} server on {args.host}:{args.port}", flush=True)
server.serve_forever()
