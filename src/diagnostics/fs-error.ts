/** Why a file could not be read, in words: "no such file" rather than ENOENT. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EISDIR') return 'it is a directory'
  if (code === 'EACCES') return 'permission denied'
  return code ?? (e as Error).message
}

/** What fs.Stats says a path is (the part of it this needs, so that diagnostics/ stays free of node:fs). */
interface FileKindStats {
  isFile(): boolean
  isDirectory(): boolean
  isCharacterDevice(): boolean
  isBlockDevice(): boolean
  isFIFO(): boolean
  isSocket(): boolean
}

/** "a directory", "a character device" (/dev/zero), "a FIFO (named pipe)"... */
export function describeFileKind(stats: FileKindStats): string {
  if (stats.isFile()) return 'a regular file'
  if (stats.isDirectory()) return 'a directory'
  if (stats.isCharacterDevice()) return 'a character device'
  if (stats.isBlockDevice()) return 'a block device'
  if (stats.isFIFO()) return 'a FIFO (named pipe)'
  if (stats.isSocket()) return 'a socket'
  return 'not a file'
}
