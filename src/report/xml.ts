/** A node of an XML document: an element, or text. Enough for JUnit; no XML library needed. */
export type XmlNode = { name: string; attrs?: Record<string, string | number | undefined>; children?: XmlNode[] } | string

/** Characters XML 1.0 does not allow at all (most C0 controls, lone surrogates, U+FFFE/FFFF): a device can send any byte. */
// eslint-disable-next-line no-control-regex
const INVALID = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function escapeXml(text: string): string {
  return text
    .replace(INVALID, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** Attribute values also keep their line breaks and tabs (a parser would fold them into spaces). */
function escapeAttr(text: string): string {
  return escapeXml(text).replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;')
}

/** Serialises a node, two spaces of indentation per level; text children are written as they are (escaped). */
export function renderXml(node: XmlNode, depth = 0): string {
  if (typeof node === 'string') return escapeXml(node)
  const pad = '  '.repeat(depth)
  const attrs = Object.entries(node.attrs ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('')
  const children = node.children ?? []
  if (children.length === 0) return `${pad}<${node.name}${attrs}/>`
  if (children.every((c) => typeof c === 'string')) return `${pad}<${node.name}${attrs}>${children.map((c) => renderXml(c)).join('')}</${node.name}>`
  return `${pad}<${node.name}${attrs}>\n${children.map((c) => (typeof c === 'string' ? escapeXml(c) : renderXml(c, depth + 1))).join('\n')}\n${pad}</${node.name}>`
}
