#!/usr/bin/env python3
"""The peer of the per-step benchmark: the same AT / OK exchanges as the engine, written the way
pytest-style serial test tools do it (pyserial + pexpect), over the same pseudo-terminal.
Prints the per-exchange times in ms as JSON."""
import json
import sys
import time

import pexpect.fdpexpect
import serial

path, count = sys.argv[1], int(sys.argv[2])
port = serial.Serial(path, 115200, timeout=0)
child = pexpect.fdpexpect.fdspawn(port.fileno(), timeout=5)
samples = []
for _ in range(count):
    started = time.perf_counter()
    child.send(b"AT\r\n")
    child.expect_exact(b"\r\nOK\r\n")
    samples.append((time.perf_counter() - started) * 1000)
port.close()
print(json.dumps(samples))
