import { describe, expect, it } from 'vitest'
import { useHarness } from './harness.ts'

const boot = useHarness()

describe('basic commands (reference §10)', () => {
  it('AT+GMR prints the profile\'s firmware lines, then a blank line and OK', async () => {
    const h = await boot({ gmr: ['AT version:4.1.1.0(abc - ESP32 - Jan  1 2025 00:00:00)', 'SDK version:v5.0.8', 'compile time(0123):Jan  1 2025 00:00:00', 'Bin version:v4.1.1.0(WROOM-32)'] })
    expect(await h.command('AT+GMR')).toBe(
      'AT+GMR\r\nAT version:4.1.1.0(abc - ESP32 - Jan  1 2025 00:00:00)\r\nSDK version:v5.0.8\r\ncompile time(0123):Jan  1 2025 00:00:00\r\nBin version:v4.1.1.0(WROOM-32)\r\n\r\nOK\r\n',
    )
  })

  it('AT+CMD? lists every command with its forms; the bare AT as "AT", ATE0 as "ATE0"', async () => {
    const h = await boot()
    const out = await h.command('AT+CMD?')
    expect(out.startsWith('AT+CMD?\r\n+CMD:0,"AT",0,0,0,1\r\n+CMD:1,"ATE0",0,0,0,1\r\n+CMD:2,"ATE1",0,0,0,1\r\n+CMD:3,"AT+RST",0,0,0,1\r\n')).toBe(true)
    expect(out).toMatch(/\+CMD:\d+,"AT\+WSOPEN",0,1,1,0\r\n/) // query and set, no test form (reference §7)
    expect(out).toMatch(/\+CMD:\d+,"AT\+WSCFG",0,0,1,0\r\n/)
    expect(out.endsWith('\r\n\r\nOK\r\n')).toBe(true)
  })

  it('AT+SYSMSG? prints its line without CR LF: no blank line before OK', async () => {
    const h = await boot()
    expect(await h.command('AT+SYSMSG?')).toBe('AT+SYSMSG?\r\n+SYSMSG:0\r\nOK\r\n')
    await h.command('AT+SYSMSG=4')
    expect(await h.command('AT+SYSMSG?')).toBe('AT+SYSMSG?\r\n+SYSMSG:4\r\nOK\r\n')
  })

  it('with AT+SYSSTORE=1 (the default) AT+CWMODE survives AT+RST; AT+RESTORE brings the factory mode back', async () => {
    const h = await boot()
    expect(await h.command('AT+SYSSTORE?')).toBe('AT+SYSSTORE?\r\n+SYSSTORE:1\r\n\r\nOK\r\n')
    await h.command('AT+CWMODE=2')
    h.clear()
    h.write('AT+RST\r\n')
    await h.until('ready\r\n')
    expect(await h.command('AT+CWMODE?')).toBe('AT+CWMODE?\r\n+CWMODE:2\r\n\r\nOK\r\n')
    h.clear()
    h.write('AT+RESTORE\r\n')
    await h.until('ready\r\n')
    expect(h.text()).toBe('AT+RESTORE\r\n\r\nOK\r\n\r\nready\r\n')
    expect(await h.command('AT+CWMODE?')).toBe('AT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n')
  })

  it('with AT+SYSSTORE=0 a new mode lasts until the next reset', async () => {
    const h = await boot()
    await h.command('AT+SYSSTORE=0')
    await h.command('AT+CWMODE=3')
    h.write('AT+RST\r\n')
    await h.until('ready\r\n')
    expect(await h.command('AT+CWMODE?')).toBe('AT+CWMODE?\r\n+CWMODE:1\r\n\r\nOK\r\n')
  })

  it('input while AT+RST waits to restart gets busy p...', async () => {
    const h = await boot()
    h.write('AT+RST\r\n')
    await h.until('OK\r\n')
    h.write('AT\r\n')
    await h.until('ready\r\n')
    expect(h.text()).toBe('AT+RST\r\n\r\nOK\r\n\r\nbusy p...\r\n\r\nready\r\n')
  })
})
