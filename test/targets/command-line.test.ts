import { describe, expect, it } from 'vitest'
import { LinkOpenError } from '../../src/link/open-link.ts'
import { parseCommandLine, shownCommand } from '../../src/targets/command-line.ts'
import { lavaKind, telnetAddress } from '../../src/targets/lava.ts'
import { DEFAULT_LINE } from '../../src/link/open-link.ts'

describe('command lines from a lab', () => {
  it('splits words and quotes as sh does, and `&&` into commands', () => {
    expect(parseCommandLine(`/path/to/reset.sh 0 1 2 && sleep 5`)).toEqual({ commands: [['/path/to/reset.sh', '0', '1', '2'], ['sleep', '5']] })
    expect(parseCommandLine(`pdu --name 'rack 3' --cmd "re\\"boot" a\\ b`)).toEqual({ commands: [['pdu', '--name', 'rack 3', '--cmd', 're"boot', 'a b']] })
    expect(parseCommandLine('x=1 && y=2')).toEqual({ needsShell: 'a variable assignment before the command' })
    expect(parseCommandLine('cmd --level=3')).toEqual({ commands: [['cmd', '--level=3']] })
    expect(parseCommandLine('   ')).toEqual({ commands: [] })
  })

  it('says what needs a shell: pipes, redirections, variables, globs, `;`, unclosed quotes', () => {
    for (const [line, why] of [
      ['reset | tee log', '`|`'],
      ['reset > /dev/null', '`>`'],
      ['reset $PORT', '`$`'],
      ['reset "$PORT"', '`$` inside double quotes'],
      ['reset *.cfg', '`*`'],
      ['a; b', '`;`'],
      ["reset 'x", 'a single quote that is never closed'],
      ['a &&', '`&&` with no command after it'],
      ['a & b', '`&`'],
    ]) {
      expect(parseCommandLine(line!), line).toEqual({ needsShell: why })
    }
  })

  it('shows argv as one would type it again', () => {
    expect(shownCommand(['pdu', '--name', 'rack 3', "it's"])).toBe(`pdu --name 'rack 3' 'it'\\''s'`)
  })
})

describe('LAVA connection commands', () => {
  it('telnet [options] HOST [PORT] is a host and a port (23 by default)', () => {
    expect(telnetAddress('telnet 192.168.1.200 8001', 'V')).toEqual({ host: '192.168.1.200', port: 8001 })
    expect(telnetAddress('/usr/bin/telnet -8 -e x localhost 4002', 'V')).toEqual({ host: 'localhost', port: 4002 })
    expect(telnetAddress('telnet lab', 'V')).toEqual({ host: 'lab', port: 23 })
  })

  it('any other console command is an error that says what works', () => {
    expect(() => telnetAddress('ssh -t lab conmux-console board', 'LAVA_CONNECTION_COMMAND')).toThrow(
      'LAVA_CONNECTION_COMMAND is `ssh -t lab conmux-console board`: at-scenario opens `telnet HOST PORT` consoles',
    )
    expect(() => telnetAddress('telnet lab http', 'V')).toThrow('expected `telnet HOST PORT` with a port number')
    expect(() => telnetAddress('telnet a 1 2', 'V')).toThrow(LinkOpenError)
  })

  const settings = (env: Record<string, string>) => ({ baudRate: 115200, line: DEFAULT_LINE, replaySpeed: 1, cwd: '/', env })

  it('--port lava reads the primary connection; lava:NAME the named one; LAVA_BOARD_ID names the board', async () => {
    const env = { LAVA_CONNECTION_COMMAND: 'telnet 192.168.1.200 8001', LAVA_CONNECTION_COMMAND_UART0: 'telnet localhost 4002', LAVA_BOARD_ID: '0123' }
    expect((await lavaKind.parse('lava', settings(env)))?.description).toBe('LAVA board 0123 at telnet://192.168.1.200:8001 (LAVA_CONNECTION_COMMAND)')
    expect((await lavaKind.parse('lava:uart0', settings(env)))?.description).toBe('LAVA board 0123 at telnet://localhost:4002 (LAVA_CONNECTION_COMMAND_UART0)')
    expect(await lavaKind.parse('/dev/lava', settings(env))).toBeUndefined()
  })

  it('without a primary connection, one connection is taken; several, or none, are an error that lists them', () => {
    expect(lavaKind.parse('lava', settings({ LAVA_CONNECTION_COMMAND_UART1: 'telnet h 1' }))).toMatchObject({ description: 'the LAVA device at telnet://h:1 (LAVA_CONNECTION_COMMAND_UART1)' })
    const two = settings({ LAVA_CONNECTION_COMMAND_UART0: 'telnet h 1', LAVA_CONNECTION_COMMAND_UART1: 'telnet h 2' })
    expect(() => lavaKind.parse('lava', two)).toThrow(
      '--port lava: LAVA_CONNECTION_COMMAND is not set (no connection is tagged primary); LAVA gave LAVA_CONNECTION_COMMAND_UART0, LAVA_CONNECTION_COMMAND_UART1 (--port lava:uart0, lava:uart1): name one',
    )
    expect(() => lavaKind.parse('lava:uart2', two)).toThrow('--port lava:uart2: LAVA_CONNECTION_COMMAND_UART2 is not set; LAVA gave')
    expect(() => lavaKind.parse('lava', settings({}))).toThrow('at-scenario runs inside a LAVA `docker` test action')
  })
})
