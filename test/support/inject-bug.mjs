// Test-only fault injection, preloaded with `node --import` (never part of the gate or its bundle):
// stat() of a directory named INJECTED_BUG_DIR answers an object without methods, so the gate's own
// check of its working-directory (statSync(dir).isDirectory()) throws a real TypeError, as a bug in
// the gate would. Plain JavaScript so that it loads before (or without) tsx.
import fs from 'node:fs'
import { basename } from 'node:path'
import { syncBuiltinESMExports } from 'node:module'

export const INJECTED_BUG_DIR = 'inject-type-error'

const statSync = fs.statSync
fs.statSync = function (path, options) {
  if (basename(String(path)) === INJECTED_BUG_DIR) return {}
  return statSync.call(this, path, options)
}
// ES module imports of node:fs (the gate's) see the patched function too.
syncBuiltinESMExports()
