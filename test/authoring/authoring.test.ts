import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { announcedLength, parseAtCommand } from '../../src/authoring/at-params.ts'
import { readDocPage } from '../../src/authoring/doc-page.ts'
import { diffScenarios } from '../../src/authoring/scenario-diff.ts'
import { scalar } from '../../src/authoring/scenario-yaml.ts'
import { SiteValues } from '../../src/authoring/site-values.ts'
import { serverFile } from '../../src/authoring/python-server.ts'
import { stepsFromTraffic } from '../../src/authoring/traffic-steps.ts'

const site = (keepPassword = true) => new SiteValues({ keepPassword: () => keepPassword, hostIps: new Set(), connectTargetsAreHost: true })

describe('authoring', () => {
  it('writes every string as a YAML scalar that reads back as itself', () => {
    for (const text of ['OK', '>', 'OK ', ' x', '+WS_DATA:0,4,test', 'a: b', 'x #y', '/^\\+CIPSNTPTIME:.*$/', "it's", '-', '--host', '${port}', '\r\n', 'tab\there', '1234', 'true', 'null', '[x]', 'a,b', '"q"', '\\', '']) {
      expect((parse(`k: ${scalar(text)}`) as { k: unknown }).k, text).toBe(text)
      expect((parse(`k: [${scalar(text, true)}]`) as { k: unknown }).k, text).toEqual([text])
    }
  })

  it('reads AT parameters with the firmware\'s escapes, and the payload length a command announces', () => {
    expect(parseAtCommand('AT+CWJAP="a\\"b\\,c","pw",x')!.params.map((p) => p.value)).toEqual(['a"b,c', 'pw', 'x'])
    expect(announcedLength('AT+CIPSEND=4')).toBe(4)
    expect(announcedLength('AT+CIPSEND=0,12')).toBe(12)
    expect(announcedLength('AT+WSSEND=0,4,1')).toBe(4)
    expect(announcedLength('AT+MQTTPUBRAW=0,"t",7,0,0')).toBe(7)
    expect(announcedLength('AT+CIPSEND')).toBeUndefined()
  })

  it('turns site values into variables: Wi-Fi credentials from the environment, the PC\'s address and port', () => {
    const s = site()
    expect(s.command('AT+CWJAP="lab","secret"')).toBe('AT+CWJAP="${ssid}","${password}"')
    expect(s.command('AT+CIPSTART="TCP","192.168.3.102",8080')).toBe('AT+CIPSTART="TCP","${host.ip}",${port}')
    expect(s.command('AT+WSOPEN=0,"ws://192.168.3.102:8765/x"')).toBe('AT+WSOPEN=0,"ws://${host.ip}:${port2}/x"')
    expect(s.command('AT+CIPSTART="TCP","example.com",80')).toBe('AT+CIPSTART="TCP","example.com",80')
    expect(s.command('AT+X="${y}"')).toBe('AT+X="$${y}"')
    expect(s.vars).toEqual([
      { name: 'ssid', value: '${env.WIFI_SSID:-lab}' },
      { name: 'password', value: '${env.WIFI_PASSWORD:-secret}' },
      { name: 'port', value: '8080' },
      { name: 'port2', value: '8765' },
    ])
    expect(s.secrets).toEqual(['password'])
    const strict = site(false)
    strict.command('AT+CWJAP="lab","secret"')
    expect(strict.vars.find((v) => v.name === 'password')!.value).toBe('${env.WIFI_PASSWORD}')
  })

  it('makes regexes of times, addresses and MACs in answers; a 1970 time stays 1970', () => {
    const s = site()
    const time = s.expectation('+CIPSNTPTIME:Wed Nov 13 17:00:15 2024')
    expect(time.clockSet).toBe(true)
    const re = (e: unknown) => new RegExp((e as string).slice(1, -1))
    expect(re(time.expectation).test('+CIPSNTPTIME:Thu Jan  1 00:00:05 2026')).toBe(true)
    expect(re(time.expectation).test('+CIPSNTPTIME:Thu Jan  1 00:00:05 1970')).toBe(false)
    const old = s.expectation('+CIPSNTPTIME:Thu Jan  1 00:02:08 1970')
    expect(old.clockSet).toBe(false)
    expect(re(old.expectation).test('+CIPSNTPTIME:Thu Jan  1 00:00:09 1970')).toBe(true)
    const mqtt = s.expectation('+MQTTCONNECTED:0,1,"192.168.3.102","1883","/ws",1')
    expect(re(mqtt.expectation).test('+MQTTCONNECTED:0,1,"10.0.0.7","1883","/ws",1')).toBe(true)
    expect(re(s.expectation('+CWJAP:"lab","ca:d7:19:d8:a6:44",6,-45').expectation).test('+CWJAP:"lab","24:0a:c4:00:00:01",6,-45')).toBe(true)
    expect(s.expectation('AT version:3.3.0.0(3b13d04)').expectation).toBe('AT version:3.3.0.0(3b13d04)')
    expect(s.expectation('OK').expectation).toBe('OK')
  })

  it('steps from traffic: echo dropped, URCs and late lines as waits, the payload after the prompt, warnings by place', () => {
    const dev = (t: string) => ({ kind: 'device' as const, bytes: Buffer.from(t) })
    const { steps, warnings } = stepsFromTraffic(
      [
        { kind: 'command', text: 'AT+WSSEND=0,4', where: 'line 1' },
        dev('AT+WSSEND=0,4\r\n\r\nOK\r\n\r\n>'),
        { kind: 'payload', bytes: Buffer.from('tes'), where: 'line 2' },
        dev('\r\nSEND OK\r\n+WS_DATA:0,4,test\r\n'),
        { kind: 'command', text: 'AT', where: 'line 3' },
      ],
      site(),
    )
    expect(steps.map((s) => [s.send ?? s.payload ?? s.wait, s.expect])).toEqual([
      ['AT+WSSEND=0,4', ['OK', '>']],
      ['tes', ['SEND OK']],
      [['+WS_DATA:0,4,test'], undefined],
      ['AT', []],
    ])
    expect(warnings).toEqual(['line 2: 3 payload bytes, but `AT+WSSEND=0,4` announced 4', 'line 3: `AT` got no final result (OK, ERROR, SEND OK...): the step only writes it (`expect: []`)'])
  })

  it('reads the steps of a page: text, labels, code blocks with their lines', () => {
    const page = readDocPage(
      ['Title', '=====', '', '.. _example-x:', '', 'Sec', '---', '', '#. Do it.', '', '   Command:', '', '   .. code-block:: none', '', '     AT', '', '   Response:', '', '   .. code-block:: none', '', '     OK', ''].join('\n'),
      'rst',
    )
    expect(page.title).toBe('Title')
    expect(page.sections).toHaveLength(1)
    expect(page.sections[0]).toMatchObject({ title: 'Sec', label: 'example-x', line: 6 })
    expect(page.sections[0]!.items[0]).toEqual({
      text: 'Do it.',
      line: 9,
      blocks: [
        { kind: 'para', text: 'Command:', line: 11 },
        { kind: 'code', lang: 'none', lines: ['AT'], line: 15 },
        { kind: 'para', text: 'Response:', line: 17 },
        { kind: 'code', lang: 'none', lines: ['OK'], line: 21 },
      ],
    })
  })

  it('a server\'s site values become arguments with the page\'s value as default', () => {
    const made = serverFile(['#!/usr/bin/env python', 'host = "192.168.1.2"', "path = '/your_path/a.crt'", 'port = 80', 'print(host)'], { source: 'p.rst', line: 3, section: 'S' })
    expect(made.assignments).toEqual([
      { name: 'host', value: '192.168.1.2' },
      { name: 'path', value: '/your_path/a.crt' },
      { name: 'port', value: '80' },
    ])
    expect(made.text).toContain('port = _page_value("port", 80)')
    expect(made.text.split('\n')[1]).toBe('# From p.rst, line 3 ("S"), by at-scenario import-doc.')
  })

  it('compares scenarios by step name and content, not by comments', () => {
    const a = 'name: x\nsteps:\n  # page line 3\n  - name: A\n    send: AT\n  - name: B\n    send: AT+GMR\n'
    expect(diffScenarios(a, a.replace('page line 3', 'page line 9'), [9, 10]).same).toBe(true)
    const b = 'name: x\nsteps:\n  - name: A\n    send: AT+RST\n  - name: C\n    send: AT+GMR\n'
    expect(diffScenarios(a, b, [4, 8]).lines).toEqual(['- step 2 "B"', '~ step 1 "A" (page line 4): send: "AT" → "AT+RST"', '+ step 2 "C" (page line 8)'])
  })
})
