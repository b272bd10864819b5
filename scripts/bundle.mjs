// Bundles the action entry (dist/index.js) and the CLI (dist/cli.js) with esbuild, sharing chunks
// (testcontainers loads only when the docker provider runs), and copies the Python helpers beside
// them (the parser's .wasm beside its loader: bundle-build.mjs). Deterministic output: CI rebuilds and compares dist/ byte for byte.
import { bundleTo } from './bundle-build.mjs'
import { chmodSync, copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'

rmSync('dist', { recursive: true, force: true })
mkdirSync('dist', { recursive: true })

await bundleTo('dist', { index: 'src/main.ts', cli: 'src/cli.ts' })
const cli = 'dist/cli.js'
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`)
chmodSync(cli, 0o755)
copyFileSync('src/drivers/alembic/helper.py', 'dist/alembic_helper.py')
copyFileSync('src/drivers/django/helper.py', 'dist/django_helper.py')
copyFileSync('src/drivers/django/django_drift.py', 'dist/django_drift.py')
// The Django helper imports it from beside itself.
copyFileSync('src/drivers/helper_common.py', 'dist/helper_common.py')
