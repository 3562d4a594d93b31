/** Masks secret values as `***` in any text that leaves the engine. */
export class Redactor {
  private readonly secrets: string[]

  constructor(secrets: readonly string[]) {
    // Longest first, so that a secret containing another is masked whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length)
  }

  get active(): boolean {
    return this.secrets.length > 0
  }

  text(value: string): string {
    let out = value
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('***')
    return out
  }

  lines(values: readonly string[]): string[] {
    return values.map((v) => this.text(v))
  }
}
