import { describe, expect, it } from 'vitest'
import { selectByTags } from '../../src/cli/select-by-tags.ts'

const scenarios = [
  { file: 'a.yaml', tags: ['smoke', 'websocket'] },
  { file: 'b.yaml', tags: ['smoke', 'tls', 'websocket'] },
  { file: 'c.yaml', tags: ['slow'] },
]
const select = (tags: string[], excludeTags: string[] = [], from = scenarios) => selectByTags(from, { tags, excludeTags })

describe('selection by tags', () => {
  it('--tag: any of them; --exclude-tag: none of them', () => {
    expect(select(['tls', 'slow']).selected.map((s) => s.file)).toEqual(['b.yaml', 'c.yaml'])
    expect(select([], ['websocket']).selected.map((s) => s.file)).toEqual(['c.yaml'])
    expect(select(['smoke'], ['tls'])).toMatchObject({ selected: [scenarios[0]], skipped: [scenarios[1], scenarios[2]], warnings: [] })
    expect(select([]).nothingSelected).toBeUndefined()
  })

  it('--tag that selects nothing: the tags given, a did-you-mean for each near miss, the tags there are with counts', () => {
    expect(select(['nightly']).nothingSelected).toBe(
      '--tag nightly selects no scenario; nothing was run.\n  tags of the 3 scenarios given, with how many have each: slow (1), smoke (2), tls (1), websocket (2)',
    )
    expect(select(['smok']).nothingSelected).toContain('\n  did you mean `smoke`?\n')
    expect(select(['smok', 'tsl']).nothingSelected).toContain(
      '--tag smok --tag tsl selects no scenario; nothing was run.\n  --tag smok: did you mean `smoke`?\n  --tag tsl: did you mean `tls`?\n',
    )
  })

  it('--exclude-tag that leaves nothing, with or without --tag', () => {
    expect(select([], ['smoke', 'slow']).nothingSelected).toMatch(/^--exclude-tag smoke --exclude-tag slow leaves out all 3 scenarios given; nothing was run\.\n/)
    expect(select(['smoke'], ['websocket']).nothingSelected).toMatch(/^--tag smoke selects 2 scenarios and --exclude-tag websocket leaves all of them out; nothing was run\.\n/)
  })

  it('scenarios without tags: said so', () => {
    const untagged = [{ file: 'x.yaml', tags: [] }]
    expect(select(['smoke'], [], untagged).nothingSelected).toContain('the 1 scenario given has no tags')
    expect(select(['smoke'], [], [...untagged, { file: 'y.yaml', tags: [] }]).nothingSelected).toContain('none of the 2 scenarios given has tags')
  })

  it('a near miss that does not empty the selection is a warning; a tag merely absent is not', () => {
    expect(select(['smoke', 'tsl'], ['slwo']).warnings).toEqual([
      '--tag tsl: no scenario has this tag; did you mean `tls`?',
      '--exclude-tag slwo: no scenario has this tag; did you mean `slow`?',
    ])
    expect(select(['smoke', 'nightly'], ['flaky']).warnings).toEqual([])
  })
})
