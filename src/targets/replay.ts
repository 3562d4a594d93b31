import { basename, resolve } from 'node:path'
import { LinkOpenError } from '../link/open-link.ts'
import type { TargetKind } from './target.ts'

/** `replay:run.atrec`: a device played from a recording; it talks to no server, so no prerequisite starts. */
export const replayKind: TargetKind = {
  name: 'replay',
  form: 'replay:FILE',
  parse(given, { replaySpeed, cwd }) {
    const m = /^replay:(.+)$/.exec(given)
    if (!m) return undefined
    const path = resolve(cwd, m[1]!)
    return {
      kind: 'replay',
      description: `a replay of ${basename(path)}`,
      // The recorded ${host.ip} is used (see `variables`); this is only its fallback.
      hostIp: 'loopback',
      onSimulator: false,
      noPrerequisites: 'the device is a replay of a recording',
      async open() {
        const [{ openReplay }, { RecordingFormatError }, { describeFsError }] = await Promise.all([
          import('../replay/replay-link.ts'),
          import('../replay/atrec-reader.ts'),
          import('../diagnostics/fs-error.ts'),
        ])
        try {
          return await openReplay(path, { speed: replaySpeed, file: path })
        } catch (e) {
          throw new LinkOpenError(`cannot replay ${path}: ${e instanceof RecordingFormatError ? e.message : describeFsError(e)}`)
        }
      },
      async variables(link, scenario, inputs) {
        const { replayVariables } = await import('../replay/run-setup.ts')
        return replayVariables(link, scenario, inputs)
      },
      recordedPort: (asGiven) => ({ port: asGiven ?? given }),
    }
  },
}
