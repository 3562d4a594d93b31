import { isAlias, isCollection, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Alias, Document, Node } from 'yaml'

/**
 * What a YAML document may ask of the loader before it is turned into values. Aliases are the
 * risk: nine anchors of nine aliases each (an "alias bomb") stand for 9^9 values in a few
 * hundred bytes, and the yaml package resolves each alias by scanning the anchors before it.
 */
export const YAML_LIMITS = {
  /**
   * The yaml package's `maxAliasCount`, with its own counting: an anchor may be used this many
   * times, where a use of an anchor that holds aliases counts as many times as they expand to.
   */
  maxAliasCount: 100,
  /** Aliases in one file. */
  maxAliases: 1000,
  /** Values the aliases of one file add to it, expanded. */
  maxExpandedNodes: 100_000,
  /** Levels of nested maps and lists: a scenario needs about ten. */
  maxDepth: 100,
} as const

export interface YamlLimitProblem {
  /** `yaml-alias`: an alias yaml cannot resolve; `too-large`: a limit above; `yaml-syntax`: a merge key yaml refuses. */
  code: 'yaml-alias' | 'too-large' | 'yaml-syntax'
  message: string
  hint?: string
  /** Where to point: the alias or the node that goes too far. */
  node: Node
}

const MERGE_TAG = 'tag:yaml.org,2002:merge'
const REPEAT_HINT = 'write the values out; repeated steps are an `include` (with `with:`) or a `repeat` block'

/**
 * Checks a parsed document against YAML_LIMITS, and that every alias has its anchor before it
 * and is not inside it; the first problem found, with the node to point at. The document is
 * walked once, in the order yaml converts it, so the counts are the ones yaml would make.
 */
export function checkYamlLimits(doc: Document.Parsed): YamlLimitProblem | undefined {
  // `%YAML 1.1` turns on merge keys (`<<: *defaults`), whose values yaml refuses unless they are maps.
  const walk = new LimitWalk(doc.schema.tags.some((t) => t.tag === MERGE_TAG && t.default))
  try {
    walk.node(doc.contents, 1)
  } catch (e) {
    if (e instanceof Stop) return e.problem
    throw e
  }
  return undefined
}

class Stop extends Error {
  constructor(readonly problem: YamlLimitProblem) {
    super(problem.message)
  }
}

interface AnchorUse {
  /** yaml's `count`: 1 for the anchor itself, plus one per alias. */
  count: number
  /** yaml's `aliasCount`: how many values one use stands for, computed at the first alias (0 until then). */
  weight: number
  /** Nodes the anchored value holds, its aliases expanded. */
  size: number
  /** Whether the walk has left the anchored node (an alias before that is inside it). */
  done: boolean
}

class LimitWalk {
  /** The latest node of each anchor name, as yaml resolves an alias: the last such anchor before it. */
  private readonly anchors = new Map<string, Node>()
  private readonly uses = new Map<Node, AnchorUse>()
  private readonly resolved = new Map<Alias, Node>()
  private aliases = 0
  private expanded = 0
  private readonly merges: boolean

  constructor(merges: boolean) {
    this.merges = merges
  }

  /** Walks a node and returns how many nodes it holds with its aliases expanded. */
  node(node: unknown, depth: number): number {
    if (isAlias(node)) return this.alias(node)
    if (!isScalar(node) && !isCollection(node)) return 0
    if (depth > YAML_LIMITS.maxDepth) {
      throw new Stop({ code: 'too-large', message: `the YAML here is nested deeper than ${YAML_LIMITS.maxDepth} levels of maps and lists`, node })
    }
    const use: AnchorUse | undefined = node.anchor ? { count: 1, weight: 0, size: 0, done: false } : undefined
    if (use) {
      this.anchors.set(node.anchor!, node)
      this.uses.set(node, use)
    }
    let size = 1
    if (isCollection(node)) {
      for (const item of node.items) {
        if (isPair(item)) {
          size += this.node(item.key, depth + 1) + this.node(item.value, depth + 1)
          if (this.merges && isMergeKey(item.key)) this.checkMerge(item.value, item.key as Node)
        } else size += this.node(item, depth + 1)
      }
    }
    if (use) {
      use.size = size
      use.done = true
    }
    return size
  }

  private alias(alias: Alias): number {
    const target = this.anchors.get(alias.source)
    if (!target) {
      throw new Stop({
        code: 'yaml-alias',
        message: `the alias \`*${alias.source}\` refers to no anchor: there is no \`&${alias.source}\` before it`,
        hint: 'an anchor (`&name`) must come before its aliases (`*name`), in the same file: aliases do not reach into included files',
        node: alias,
      })
    }
    const use = this.uses.get(target)!
    if (!use.done) {
      throw new Stop({ code: 'yaml-alias', message: `the alias \`*${alias.source}\` is inside the value it refers to (\`&${alias.source}\`), which would contain itself for ever`, node: alias })
    }
    this.resolved.set(alias, target)
    if (++this.aliases > YAML_LIMITS.maxAliases) {
      throw new Stop({ code: 'too-large', message: `more than ${YAML_LIMITS.maxAliases} aliases in one file`, hint: REPEAT_HINT, node: alias })
    }
    use.count += 1
    if (use.weight === 0) use.weight = this.weight(target)
    if (use.count * use.weight > YAML_LIMITS.maxAliasCount) {
      throw new Stop({
        code: 'too-large',
        message: `the alias \`*${alias.source}\` is one use too many of \`&${alias.source}\`: an anchor may stand for at most ${YAML_LIMITS.maxAliasCount} values, counting the aliases inside it (the yaml package's maxAliasCount), which keeps alias bombs out`,
        hint: REPEAT_HINT,
        node: alias,
      })
    }
    this.expanded += use.size
    if (this.expanded > YAML_LIMITS.maxExpandedNodes) {
      throw new Stop({ code: 'too-large', message: `the aliases of this file expand to more than ${YAML_LIMITS.maxExpandedNodes} values`, hint: REPEAT_HINT, node: alias })
    }
    return use.size
  }

  /** A merge key's value is a map, an alias of one, or a list of those. */
  private checkMerge(value: unknown, key: Node): void {
    const resolve = (v: unknown) => (isAlias(v) ? this.resolved.get(v) : v)
    const source = resolve(value)
    if (isMap(source) || (isSeq(source) && source.items.every((item) => isMap(resolve(item))))) return
    throw new Stop({
      code: 'yaml-syntax',
      message: 'a merge key (`<<`) takes a map, an alias of a map, or a list of them',
      hint: 'merge keys are YAML 1.1 (the `%YAML 1.1` line turns them on); without it, `<<` is an ordinary key',
      node: isAlias(value) || isScalar(value) || isCollection(value) ? (value) : key,
    })
  }

  /** yaml's getAliasCount: how many values one use of a node stands for. */
  private weight(node: unknown): number {
    if (isAlias(node)) {
      const target = this.resolved.get(node)
      const use = target && this.uses.get(target)
      return use ? use.count * use.weight : 0
    }
    if (isCollection(node)) {
      let most = 0
      for (const item of node.items) most = Math.max(most, isPair(item) ? Math.max(this.weight(item.key), this.weight(item.value)) : this.weight(item))
      return most
    }
    return 1
  }
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (!key.type || key.type === 'PLAIN') && (key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<'))
}
