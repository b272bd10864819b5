// The files the gate writes after a run (report-json, sarif): checked before the run, so a verdict is
// never lost to a path that cannot take it; each error is one line naming the input.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { readConfig } from '../../src/inputs.js'

const scratch = mkdtempSync(join(tmpdir(), 'mg-output-inputs-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function configError(inputs: Record<string, string>): GateError {
  try {
    readConfig((name) => inputs[name])
  } catch (error) {
    if (error instanceof GateError) return error
    throw error
  }
  throw new Error('no error')
}

describe('output file inputs', () => {
  it.each(['report-json', 'sarif'])('%s: a file in an existing directory is taken as given', (name) => {
    const path = join(scratch, 'out.file')
    const config = readConfig((n) => ({ [name]: path })[n])
    expect(name === 'sarif' ? config.sarif : config.reportJson).toBe(path)
  })

  it('sarif is off by default', () => {
    expect(readConfig(() => undefined).sarif).toBeUndefined()
  })

  it.each(['report-json', 'sarif'])('%s: a directory is refused, naming the input', (name) => {
    const error = configError({ [name]: scratch })
    expect(error.message).toBe(`${name}: ${scratch} is a directory; give a file path`)
    expect(error.input).toBe(name)
  })

  it.each(['report-json', 'sarif'])('%s: a missing parent directory is refused, naming the input', (name) => {
    const path = join(scratch, 'missing', 'out.file')
    const error = configError({ [name]: path })
    expect(error.message).toBe(`${name}: the directory of ${path} does not exist or is not writable`)
    expect(error.message).not.toContain('\n')
  })
})
