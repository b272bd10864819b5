// A tiny Alembic project around a real project's versions/ directory, for bench/process.ts
// --project: `alembic init` (generic env.py, which takes sqlalchemy.url, no models) with
// version_locations pointing at the real revision files, which are read where they are, not
// copied. Revision files that import the project's own package need it, or a stub of the names
// they use, in OUT_DIR (env.py puts it first on sys.path).
//   npx tsx bench/wrap-versions.ts VERSIONS_DIR OUT_DIR [--python /usr/bin/python3]
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const [versionsArg, outArg] = process.argv.slice(2)
const python = process.argv.includes('--python')
  ? process.argv[process.argv.indexOf('--python') + 1]
  : '/usr/bin/python3'
if (!versionsArg || !outArg || !existsSync(versionsArg)) {
  console.error('usage: npx tsx bench/wrap-versions.ts VERSIONS_DIR OUT_DIR [--python PATH] (VERSIONS_DIR must exist)')
  process.exit(2)
}
const versions = path.resolve(versionsArg)
const out = path.resolve(outArg)
if (existsSync(out)) {
  console.error(`wrap-versions: ${out} exists; give a new directory`)
  process.exit(2)
}
mkdirSync(out, { recursive: true })
execFileSync(python as string, ['-m', 'alembic', 'init', 'alembic'], { cwd: out, stdio: 'pipe' })
const ini = path.join(out, 'alembic.ini')
rmSync(path.join(out, 'alembic', 'versions'), { recursive: true, force: true })
const text = readFileSync(ini, 'utf8')
  .replace(/^script_location = .*$/m, `script_location = %(here)s/alembic`)
  .replace(/^# version_locations = .*$/m, `version_locations = ${versions.replace(/%/g, '%%')}`)
  // alembic 1.8's template has an inline comment here, which configparser keeps as part of the value.
  .replace(/^(version_path_separator = \S+)\s+#.*$/m, '$1')
if (!text.includes('version_locations = ')) throw new Error('alembic.ini has no version_locations line to set')
writeFileSync(ini, text)
// Stubs of what the revision files import from their application go in out: put it on sys.path.
const envPy = path.join(out, 'alembic', 'env.py')
writeFileSync(
  envPy,
  `import os\nimport sys\n\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))\n${readFileSync(envPy, 'utf8')}`,
)
console.log(`${out}: alembic.ini with version_locations = ${versions}`)
