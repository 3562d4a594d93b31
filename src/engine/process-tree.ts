import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { escapeByte } from '../bytes/quote.ts'

/**
 * The processes a prerequisite started, found on Linux through /proc, so that teardown can stop
 * those that left its process group. A child that calls setsid (a server that daemonises) is out
 * of the group that SIGTERM and SIGKILL go to; if it also keeps the prerequisite's output pipe
 * open, the runner would wait for that pipe for ever. Three ways to recognise one, because each
 * misses a case: the parent chain (lost when the middle process exits and the child is
 * re-parented to init), the session and group ids (lost by setsid), and a variable in the
 * environment the prerequisite was started with, which children inherit (lost only by a
 * process that clears its environment).
 */

/** The environment variable that marks a prerequisite's processes: `<runner pid>.<token>`. */
export const PREREQUISITE_MARK = 'AT_SCENARIO_PREREQUISITE'

export interface ProcessEntry {
  pid: number
  ppid: number
  pgid: number
  sid: number
  /** Clock ticks since boot at which it started: with the pid, a process that a reused pid is not. */
  startTime: string
  /** The command line, for messages (`sleep 1000`). */
  command: string
}

/** Whether /proc can be walked here (Linux); elsewhere only the process group is signalled. */
export function canTrackProcesses(): boolean {
  return process.platform === 'linux' && readStat('self') !== undefined
}

/**
 * The processes that belong to the prerequisite with this pid and mark: any process that carries
 * its mark and, while the prerequisite itself has not been reaped (so that its pid cannot have
 * been reused), its descendants, its session and its group. The prerequisite itself is left out.
 */
export function processesOf(root: number, mark: string, rootAlive: boolean): ProcessEntry[] {
  if (!canTrackProcesses()) return []
  const all = listProcesses()
  if (!rootAlive) return all.filter((p) => p.pid !== root && p.pid !== process.pid && carriesMark(p.pid, mark))
  const children = new Map<number, ProcessEntry[]>()
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p])
  const found = new Map<number, ProcessEntry>()
  const queue = [root]
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (found.has(child.pid)) continue
      found.set(child.pid, child)
      queue.push(child.pid)
    }
  }
  for (const p of all) {
    if (p.pid === root || found.has(p.pid) || p.pid === process.pid) continue
    if (p.sid === root || p.pgid === root || carriesMark(p.pid, mark)) found.set(p.pid, p)
  }
  found.delete(root)
  return [...found.values()]
}

/** Whether this process (pid and start time) still exists and is not a zombie waiting for its parent. */
export function isAlive(entry: Pick<ProcessEntry, 'pid' | 'startTime'>): boolean {
  const stat = readStat(String(entry.pid))
  return stat !== undefined && stat.startTime === entry.startTime && stat.state !== 'Z'
}

function listProcesses(): ProcessEntry[] {
  let names: string[]
  try {
    names = readdirSync('/proc')
  } catch {
    return []
  }
  const out: ProcessEntry[] = []
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue
    const stat = readStat(name)
    if (stat && stat.state !== 'Z') out.push({ pid: stat.pid, ppid: stat.ppid, pgid: stat.pgid, sid: stat.sid, startTime: stat.startTime, command: commandOf(name, stat.comm) })
  }
  return out
}

interface Stat {
  pid: number
  comm: string
  state: string
  ppid: number
  pgid: number
  sid: number
  startTime: string
}

/** /proc/<pid>/stat: `pid (comm) state ppid pgrp session ... starttime(22) ...`; comm may hold spaces and parentheses. */
function readStat(pid: string): Stat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return undefined
  const fields = text.slice(close + 2).split(' ')
  // fields[0] is field 3 (state), so field n is fields[n - 3].
  const [state, ppid, pgid, sid] = [fields[0], fields[1], fields[2], fields[3]]
  const startTime = fields[22 - 3]
  if (!state || !ppid || !pgid || !sid || !startTime) return undefined
  return { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), state, ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid), startTime }
}

function commandOf(pid: string, comm: string): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    // One line of a terminal whatever the arguments hold: a newline of a `python -c` script or an
    // escape sequence would otherwise break the message (or rewrite the screen).
    // eslint-disable-next-line no-control-regex
    const line = (argv.length > 0 ? argv.join(' ') : comm).replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => escapeByte(c.charCodeAt(0)))
    return line.length > 200 ? `${line.slice(0, 200)}…` : line
  } catch {
    return comm
  }
}

/** Whether the process's environment holds the mark (readable for the runner's own user's processes only). */
function carriesMark(pid: number, mark: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`${PREREQUISITE_MARK}=${mark}`)
  } catch {
    return false
  }
}

/**
 * The process listening on a TCP port (Linux: /proc/net/tcp and tcp6 give the socket, the fds in
 * /proc/<pid>/fd its owner), for a message that names it; undefined when it cannot be seen (another
 * user's process, another system).
 */
export function listenerOn(port: number): { pid: number; command: string } | undefined {
  if (!canTrackProcesses()) return undefined
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string
    try {
      text = readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      const local = cols[1]
      // State 0A is LISTEN; the port is the hex after the colon of the local address.
      if (!local || cols[3] !== '0A' || parseInt(local.slice(local.lastIndexOf(':') + 1), 16) !== port) continue
      if (cols[9] && cols[9] !== '0') inodes.add(`socket:[${cols[9]}]`)
    }
  }
  if (inodes.size === 0) return undefined
  let pids: string[]
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n))
  } catch {
    return undefined
  }
  for (const pid of pids) {
    let fds: string[]
    try {
      fds = readdirSync(`/proc/${pid}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      let target: string
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`)
      } catch {
        continue
      }
      if (inodes.has(target)) return { pid: Number(pid), command: commandOf(pid, readStat(pid)?.comm ?? '?') }
    }
  }
  return undefined
}
