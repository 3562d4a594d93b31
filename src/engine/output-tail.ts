/** The last lines a process printed, for failure reports. Bounded in lines and line length. */
export class OutputTail {
  private readonly max: number
  private lines: string[] = []
  private partial = ''

  constructor(max = 20) {
    this.max = max
  }

  push(chunk: string): string[] {
    const text = this.partial + chunk
    const parts = text.split(/\r?\n/)
    this.partial = parts.pop() ?? ''
    if (this.partial.length > 4096) this.partial = this.partial.slice(-4096)
    for (const line of parts) {
      this.lines.push(line.length > 500 ? `${line.slice(0, 500)}…` : line)
      if (this.lines.length > this.max) this.lines.shift()
    }
    return parts
  }

  get(): string[] {
    return this.partial ? [...this.lines, this.partial].slice(-this.max) : [...this.lines]
  }
}
