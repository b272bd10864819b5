// action.yml and the README's inputs table are generated from src/inputs.ts; they must not drift.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { DESCRIPTION, renderActionYml, withInputsTable } from '../../scripts/action-yml.js'
import { INPUTS } from '../../src/inputs.js'
import { VERSION } from '../../src/version.js'

const root = join(import.meta.dirname, '..', '..')
const read = (f: string) => readFileSync(join(root, f), 'utf8')

describe('generated files agree with src/inputs.ts', () => {
  it('action.yml is up to date (run `npm run action-yml`)', () => {
    expect(read('action.yml')).toBe(renderActionYml())
  })

  it("the README's inputs table is up to date", () => {
    const readme = read('README.md')
    expect(readme).toBe(withInputsTable(readme))
    for (const i of INPUTS) expect(readme).toContain(`| \`${i.name}\` |`)
  })

  it('action.yml runs on node24 with a post step, and every input has a default', () => {
    const yml = read('action.yml')
    expect(yml).toMatch(/using: 'node24'/)
    expect(yml).toMatch(/main: 'dist\/index.js'/)
    expect(yml).toMatch(/post: 'dist\/index.js'/)
    expect(yml.match(/^ {4}default: /gm)).toHaveLength(INPUTS.length)
  })

  it("action.yml's description fits the Marketplace (under 125 characters) and is package.json's", () => {
    // Parsed, not matched: the value must survive YAML (an unquoted ": " would end it early or break the file).
    const description = (parse(read('action.yml')) as { description: string }).description
    expect(description).toBe(DESCRIPTION)
    expect(description.length).toBeLessThan(125)
    expect(JSON.parse(read('package.json')).description).toBe(description)
  })

  it('the CLI version is the package version', () => {
    expect(VERSION).toBe(JSON.parse(read('package.json')).version)
  })
})
