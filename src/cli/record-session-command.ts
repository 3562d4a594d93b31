import type { CliOptions } from './args.ts'
import type { CliIo } from './main.ts'
export async function recordSessionCommand(_options: CliOptions, _io: CliIo): Promise<number> {
  return 2
}
