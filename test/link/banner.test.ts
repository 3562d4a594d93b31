import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { BannerSyntaxError, parseBanner } from '../../src/link/banner.ts'
import { remoteCloseReason, serverRefusal } from '../../src/link/remote-close.ts'
import { RemoteConsole } from '../../src/link/remote-console.ts'

const bytes = (s: string) => Buffer.from(s, 'latin1')

describe('--banner', () => {
  it('text with C escapes matches exactly, waits while what came is a prefix, and fails at the first other byte', () => {
    const b = parseBanner('lab rack 3\\r\\n')
    expect(b.match(bytes('lab ra'))).toBeUndefined()
    expect(b.match(bytes('lab rack 3\r\nready\r\n'))).toBe(12)
    expect(b.match(bytes('lab rock'))).toBe(false)
    expect(parseBanner('\\x41\\101\\t').match(bytes('AA\t'))).toBe(3)
  })

  it('a /regex/ matches at the start only, and an empty match is no banner', () => {
    const b = parseBanner('/lab rack \\d+ port .*\\r\\n/')
    expect(b.match(bytes('lab rack 12 port telnet,tcp,127.0.0.1,4001\r\nready'))).toBe('lab rack 12 port telnet,tcp,127.0.0.1,4001\r\n'.length)
    expect(b.match(bytes('xx lab rack 1 port a\r\n'))).toBeUndefined()
    expect(parseBanner('/a*/').match(bytes('bbb'))).toBeUndefined()
  })

  it("refuses ser2net's own substitutions in text (the user cannot know them), a lone backslash and a bad regex", () => {
    expect(() => parseBanner('port \\p\\r\\n')).toThrow(BannerSyntaxError)
    expect(() => parseBanner('port \\p')).toThrow('`\\p` is one of the values ser2net fills in (port, device, date...), which the text cannot know; match it with a /regex/ instead')
    expect(() => parseBanner('x\\')).toThrow('lone')
    expect(() => parseBanner('/(/')).toThrow('--banner: Invalid regular expression')
    expect(() => parseBanner('')).toThrow('--banner needs')
  })
})

describe('the remote console', () => {
  it('takes the banner off the front, however the server cut it, and passes the rest on', async () => {
    const inner = new PassThrough()
    const remote = new RemoteConsole(inner, parseBanner('/hello .*\\r\\n/'))
    const got: Buffer[] = []
    remote.on('data', (d: Buffer) => got.push(d))
    inner.write(bytes('hel'))
    inner.write(bytes('lo lab\r'))
    inner.write(bytes('\nAT\r\n'))
    expect(Buffer.from((await remote.ready)!).toString('latin1')).toBe('hello lab\r\n')
    inner.write(bytes('OK\r\n'))
    await new Promise((r) => setImmediate(r))
    expect(Buffer.concat(got).toString()).toBe('AT\r\nOK\r\n')
    remote.destroy()
  })

  it('does not open when the banner does not come, saying what came instead', async () => {
    const inner = new PassThrough()
    const remote = new RemoteConsole(inner, parseBanner('/welcome\\r\\n/'), 100)
    inner.write(bytes('something else\r\n'))
    await expect(remote.ready).rejects.toThrow('the banner `/welcome\\r\\n/` did not arrive within 0.1 s; the server sent "something else\\r\\n"')
    remote.destroy()
  })

  it("turns a close it did not ask for into an error that says why, and names ser2net's refusal from its last bytes", async () => {
    const inner = new PassThrough()
    const remote = new RemoteConsole(inner)
    await remote.ready
    const error = new Promise<Error>((r) => remote.once('error', r))
    inner.end()
    expect((await error).message).toBe(remoteCloseReason())
    expect(remoteCloseReason()).toContain('another client connected to the port and took it over (ser2net with `kickolduser: true`)')
    expect(serverRefusal(bytes("\xff\xfb\x03Port's device already in use\r\n"))).toBe(
      'the server refused the connection: "Port\'s device already in use" (another of its ports on the same serial device is in use)',
    )
    expect(serverRefusal(bytes('OK\r\n'))).toBeUndefined()
  })

  it('a refusal that comes with the connection keeps the link from opening', async () => {
    const inner = new PassThrough()
    inner.write(bytes('Port already in use\r\n'))
    const remote = new RemoteConsole(inner)
    await expect(remote.ready).rejects.toThrow('the server refused the connection: "Port already in use"')
    remote.destroy()
  })
})
