// The figures of a run of the suite: printed as a table and written as JSON under the OS temp dir
// (the path is printed), so a CI log and a later comparison read the same numbers.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Row {
  name: string
  met: boolean
  outcome: string
  detail: string
}

export function printFigures(title: string, file: string, rows: Row[], counts: Record<string, number>, extra = {}) {
  const table = { cases: rows.length, 'expectation met': rows.filter((r) => r.met).length, ...counts }
  const width = Math.max(...Object.keys(table).map((k) => k.length))
  const lines = [
    `${title}`,
    ...Object.entries(table).map(([k, v]) => `  ${k.padEnd(width)}  ${String(v).padStart(5)}`),
    ...rows.filter((r) => !r.met).map((r) => `  NOT MET  ${r.name}: ${r.outcome}: ${r.detail}`),
  ]
  const path = join(tmpdir(), file)
  writeFileSync(path, `${JSON.stringify({ title, figures: table, ...extra, rows }, null, 2)}\n`)
  lines.push(`  figures written to ${path}`)
  console.log(lines.join('\n'))
}
