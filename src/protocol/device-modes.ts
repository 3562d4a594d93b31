/**
 * Commands that change how the device talks, so that the host frames what follows as the device
 * will send it. A table: a new mode is an entry.
 *
 * - AT+CIPMODE=1 (once answered OK) makes the next bare AT+CIPSEND a passthrough send: after its
 *   `>` every byte is data, with no +IPD and no lines, until the host sends `+++` (TCP-IP_AT_Commands.rst).
 */
export interface DeviceModes {
  /** AT+CIPMODE=1 was accepted: AT+CIPSEND with no length enters passthrough. */
  transparent: boolean
}

export interface ModeEffect {
  /** Applied once the device answers the command with OK. */
  onOk?(modes: DeviceModes): void
  /** Applied as the command is written (the device may answer in the same read). */
  onWrite?(modes: DeviceModes): 'passthrough-after-prompt' | undefined
}

const EFFECTS: readonly { command: RegExp; effect: (m: RegExpExecArray) => ModeEffect }[] = [
  {
    command: /^AT\+CIPMODE=([01])$/i,
    effect: (m) => ({
      onOk: (modes) => {
        modes.transparent = m[1] === '1'
      },
    }),
  },
  { command: /^AT\+CIPSEND$/i, effect: () => ({ onWrite: (modes) => (modes.transparent ? 'passthrough-after-prompt' : undefined) }) },
]

/** What writing `command` does to the modes. */
export function modeEffect(command: string): ModeEffect | undefined {
  for (const { command: pattern, effect } of EFFECTS) {
    const m = pattern.exec(command.trim())
    if (m) return effect(m)
  }
  return undefined
}

/** The bytes that leave passthrough (sent alone, with silence around them). */
export const LEAVE_PASSTHROUGH = '+++'
