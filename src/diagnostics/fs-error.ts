/** Why a file could not be read, in words: "no such file" rather than ENOENT. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'EACCES') return 'permission denied'
  return code ?? (e as Error).message
}
