import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { isAlive, listenerOn, PREREQUISITE_MARK, processesOf } from '../../src/engine/process-tree.ts'
import { processesMatching } from '../helpers/net.ts'

const token = String(600_000 + Math.floor(Math.random() * 99_999))
afterEach(() => {
  for (const pid of processesMatching(`sleep ${token}`)) process.kill(pid, 'SIGKILL')
})

/** Polls until `check` holds: the processes below start in the background. */
async function eventually<T>(check: () => T | undefined): Promise<T> {
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('finding the processes a prerequisite started (Linux /proc)', () => {
  it('a child in a session of its own: by its parent while the parent lives, by the mark once it is re-parented', async () => {
    const mark = `test.${token}`
    const root = spawn('sh', ['-c', `setsid sleep ${token}1 & setsid sh -c 'sleep ${token}2 & wait' & sleep ${token}3 & wait`], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, [PREREQUISITE_MARK]: mark },
    })
    const found = await eventually(() => {
      const list = processesOf(root.pid!, mark, true)
      // The sleeps themselves: `sh -c 'sleep ...2 & wait'` has the token too, before its sleep has started.
      return list.filter((p) => p.command.startsWith(`sleep ${token}`)).length >= 3 ? list : undefined
    })
    expect(found.map((p) => p.command).filter((c) => c.startsWith('sleep')).sort()).toEqual([`sleep ${token}1`, `sleep ${token}2`, `sleep ${token}3`])
    const escaped = found.find((p) => p.command === `sleep ${token}1`)!
    expect(escaped.pgid).not.toBe(root.pid)
    expect(isAlive(escaped)).toBe(true)
    // The prerequisite is gone (and reaped): its pid could be anyone's now, so only the mark counts.
    process.kill(-root.pid!, 'SIGKILL')
    await new Promise((r) => root.once('exit', r))
    const left = await eventually(() => {
      const list = processesOf(root.pid!, mark, false)
      return list.every((p) => p.ppid !== root.pid) ? list : undefined
    })
    expect(left.map((p) => p.command).filter((c) => c.startsWith('sleep')).sort()).toEqual([`sleep ${token}1`, `sleep ${token}2`])
    for (const p of left) process.kill(p.pid, 'SIGKILL')
    await eventually(() => (left.every((p) => !isAlive(p)) ? true : undefined))
  })

  it('a process without the mark, not related to the prerequisite, is not found', async () => {
    const other = spawn('sleep', [`${token}9`], { stdio: 'ignore' })
    const root = spawn('sleep', [`${token}8`], { detached: true, stdio: 'ignore', env: { ...process.env, [PREREQUISITE_MARK]: `test.${token}.b` } })
    await eventually(() => (processesMatching(`sleep ${token}9`).length > 0 ? true : undefined))
    expect(processesOf(root.pid!, `test.${token}.b`, true).map((p) => p.pid)).not.toContain(other.pid)
    other.kill('SIGKILL')
    root.kill('SIGKILL')
  })

  it('who listens on a TCP port', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    try {
      expect(listenerOn(port)?.pid).toBe(process.pid)
    } finally {
      await new Promise((r) => server.close(r))
    }
    expect(listenerOn(port)).toBeUndefined()
  })
})
