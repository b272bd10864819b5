// Reports import cycles among src/ modules, type-only imports included: the dependency graph must
// point one way (drivers/driver.ts and report.ts at the bottom, gate.ts and the glue at the top).
// Exit 1 with each cycle printed, 0 with one summary line. Part of `npm run lint`.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'

// The directory to check: src/ by default, another one for the script's own test.
const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'src'))

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })
}

const all = files(root)
const known = new Set(all)
const edges = new Map()
// Every static import and re-export, `import type` included; dynamic import() is left out on purpose
// (it is how a module defers a heavy dependency, not a structural one).
const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm
for (const file of all) {
  const text = readFileSync(file, 'utf8')
  const deps = new Set()
  for (const m of text.matchAll(IMPORT)) {
    const target = path.resolve(path.dirname(file), m[1].replace(/\.js$/, '.ts'))
    if (known.has(target)) deps.add(target)
  }
  edges.set(file, [...deps])
}

// Tarjan's strongly connected components: every component with more than one module is a cycle.
let index = 0
const stack = []
const on = new Set()
const idx = new Map()
const low = new Map()
const cycles = []
function visit(v) {
  idx.set(v, index)
  low.set(v, index)
  index++
  stack.push(v)
  on.add(v)
  for (const w of edges.get(v) ?? []) {
    if (!idx.has(w)) {
      visit(w)
      low.set(v, Math.min(low.get(v), low.get(w)))
    } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)))
  }
  if (low.get(v) === idx.get(v)) {
    const component = []
    let w
    do {
      w = stack.pop()
      on.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1) cycles.push(component)
  }
}
for (const v of all) if (!idx.has(v)) visit(v)

const rel = (p) => path.relative(path.dirname(root), p)
if (cycles.length > 0) {
  for (const c of cycles) console.error(`import cycle: ${c.map(rel).sort().join(' <-> ')}`)
  process.exit(1)
}
console.log(`import-cycles: ${all.length} modules, no import cycle`)
