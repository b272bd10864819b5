// Writing a file an input named (report-json, sarif) after the run: inputs.ts checked its directory
// up front, but some failures only show on writing (a full disk, a pseudo-filesystem that passes
// access() yet refuses new files). Those are the user's to fix: one line naming the input, not a bug.
import { writeFileSync } from 'node:fs'
import { GateError, oneLine } from './errors.js'

export function writeOutputFile(input: string, path: string, text: string): void {
  try {
    writeFileSync(path, text)
  } catch (error) {
    throw new GateError(`${input}: cannot write ${path}: ${oneLine(error)}`, input)
  }
}
