import { LinkOpenError } from '../link/open-link.ts'

/**
 * A labgrid-client command that failed; `cutShort` when it was stopped (timeout, Ctrl-C) rather
 * than refused, so that what it asked for may still have happened. Apart from the client, so that
 * knowing the error does not load execa.
 */
export class LabgridCommandError extends LinkOpenError {
  readonly cutShort: boolean
  constructor(message: string, cutShort = false) {
    super(message)
    this.cutShort = cutShort
  }
}
