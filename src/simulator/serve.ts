import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, realpathSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Duplex } from 'node:stream'
import { SimulatedDevice } from './device.ts'
import type { DeviceOptions } from './device.ts'

/** A simulator made available to other programs; `stop` ends it and everything it started. */
export interface Served {
  /** Where a host connects: a device path or a tcp:// URL. */
  address: string
  stop(): Promise<void>
  /** Resolves when serving ended by itself (the port went away). */
  ended: Promise<void>
}

/** Connects a fresh device to a byte stream; the device boots when attached. */
function attach(stream: Duplex, options: DeviceOptions): SimulatedDevice {
  const device = new SimulatedDevice(options)
  device.onOutput((bytes) => {
    if (!stream.destroyed) stream.write(bytes)
  })
  stream.on('data', (chunk: Buffer) => device.receive(chunk))
  device.start()
  return device
}

/** The device on an existing serial port, e.g. one end of a pseudo-terminal pair. */
export async function serveOnPort(path: string, options: DeviceOptions = {}): Promise<Served> {
  const { SerialPort } = await import('serialport')
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false, lock: false })
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())))
  const device = attach(port, options)
  const ended = new Promise<void>((resolve) => port.once('close', () => resolve()))
  return {
    address: path,
    ended,
    stop: async () => {
      await device.close()
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()))
    },
  }
}

/**
 * A pseudo-terminal pair made with socat: the device on one end, the other end's path printed for
 * any serial program (screen, pyserial, at-scenario --port).
 */
export async function serveOnPty(options: DeviceOptions = {}): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'at-scenario-sim-'))
  const deviceEnd = join(dir, 'device')
  const hostEnd = join(dir, 'tty')
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${deviceEnd}`, `pty,raw,echo=0,link=${hostEnd}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  await waitForSocat(socat)
  let served: Served
  try {
    served = await serveOnPort(deviceEnd, options)
  } catch (e) {
    socat.kill()
    throw e
  }
  const address = realpathSync(hostEnd)
  return {
    address,
    ended: served.ended,
    stop: async () => {
      await served.stop()
      socat.kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

function waitForSocat(socat: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = 0
    let log = ''
    socat.once('error', (e) => reject(new Error(`cannot start socat: ${e.message} (install it: apt-get install socat)`)))
    socat.once('exit', (code) => reject(new Error(`socat exited with code ${code}: ${log.trim()}`)))
    socat.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString()
      seen = (log.match(/PTY is /g) ?? []).length
      if (/starting data transfer loop/.test(log) && seen >= 2) resolve()
    })
  })
}

/** A TCP server: each connection gets a freshly booted device (like ser2net in front of a board). */
export async function serveOnTcp(host: string, port: number, options: DeviceOptions = {}): Promise<Served> {
  const sockets = new Set<{ socket: Socket; device: SimulatedDevice }>()
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true)
    const entry = { socket, device: attach(socket, options) }
    sockets.add(entry)
    socket.on('close', () => {
      sockets.delete(entry)
      void entry.device.close()
    })
    socket.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve())
  })
  const address = server.address()
  const actualPort = typeof address === 'object' && address ? address.port : port
  const ended = new Promise<void>((resolve) => server.once('close', () => resolve()))
  return {
    address: `tcp://${host}:${actualPort}`,
    ended,
    stop: async () => {
      for (const { socket, device } of sockets) {
        await device.close()
        socket.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
