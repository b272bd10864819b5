// The example workflows under docs/examples/ use only inputs and outputs the action has: an input
// renamed or an output dropped would otherwise leave users copying examples that fail on first run.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { INPUTS } from '../../src/inputs.js'

const repo = join(import.meta.dirname, '..', '..')
const dir = join(repo, 'docs', 'examples')
const examples = readdirSync(dir).filter((f) => f.endsWith('.yml'))
const indent = (line: string) => line.length - line.trimStart().length

/** The keys under `with:` of every step that uses the action (comments and blank lines skipped). */
function actionInputs(text: string): string[] {
  const lines = text.split('\n')
  const keys: string[] = []
  lines.forEach((line, i) => {
    if (!/^\s*(-\s+)?uses: migration-gate\/migration-gate@/.test(line)) return
    const step = indent(line.replace('- ', '  '))
    let j = i + 1
    while (j < lines.length && (lines[j]!.trim() === '' || indent(lines[j]!) >= step)) {
      if (indent(lines[j]!) === step && lines[j]!.trim() === 'with:') {
        const within = step + 2
        for (let k = j + 1; k < lines.length; k++) {
          const l = lines[k]!
          if (l.trim() === '' || l.trim().startsWith('#')) continue
          if (indent(l) < within) break
          if (indent(l) === within) keys.push(l.trim().split(':')[0]!)
        }
      }
      j++
    }
  })
  return keys
}

describe('docs/examples/*.yml', () => {
  const names = new Set(INPUTS.map((i) => i.name))
  const outputs = new Set(
    [
      ...readFileSync(join(repo, 'action.yml'), 'utf8')
        .split('outputs:')[1]!
        .matchAll(/^ {2}([a-z-]+):$/gm),
    ].map((m) => m[1]),
  )

  it.each(examples)('%s gives the action only inputs it has, and reads only outputs it sets', (file) => {
    const text = readFileSync(join(dir, file), 'utf8')
    const used = actionInputs(text)
    expect(used.length, file).toBeGreaterThan(0)
    for (const key of used) expect(names, `${file}: input ${key}`).toContain(key)
    for (const m of text.matchAll(/steps\.[\w-]+\.outputs\.([\w-]+)/g))
      expect(outputs, `${file}: output ${m[1]}`).toContain(m[1])
  })

  it('finds a misspelt input (the check itself can fail)', () => {
    const bad = 'steps:\n  - uses: migration-gate/migration-gate@v0\n    with:\n      mode: live\n      live-url: x\n'
    expect(actionInputs(bad)).toEqual(['mode', 'live-url'])
    expect(names.has('live-url')).toBe(false)
  })
})
