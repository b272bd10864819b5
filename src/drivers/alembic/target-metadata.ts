// Which file the models live in, as env.py tells Alembic: `target_metadata = Base.metadata` after
// `from myapp.models import Base`. Read statically (the tokenizer the revision parser uses), so a
// changed model module is recognised even where it is not named models.py. Follows imports
// (`from X import Y [as Z]`, `import X.Y [as Z]`, relative imports) and plain local assignments
// (`Base = models.Base`), then looks for the module file where Alembic's sys.path would find it.
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import type { AlembicConfig } from './config.js'
import { PySyntaxError, logicalLines, normalizeNewlines, type Token } from './pytokens.js'

/** Absolute paths of the module files env.py's target_metadata comes from (none when it cannot tell). */
export function targetMetadataFiles(config: AlembicConfig): string[] {
  const envPath = path.join(config.scriptLocation, 'env.py')
  let source: string
  try {
    source = readFileSync(envPath, 'utf8')
  } catch {
    return []
  }
  const roots = moduleRoots(config)
  const files = new Set<string>()
  for (const dotted of targetMetadataModules(source)) {
    const file = resolveModule(dotted, roots, path.dirname(envPath))
    if (file) files.add(file)
  }
  return [...files]
}

/** Where env.py's imports are looked for: the directories Alembic and the usual layouts put on sys.path. */
export function moduleRoots(config: AlembicConfig): string[] {
  return [
    config.projectDir,
    path.join(config.projectDir, 'src'),
    path.dirname(config.scriptLocation),
    config.scriptLocation,
    path.dirname(config.iniPath),
  ]
}

/**
 * Candidate module paths for target_metadata, from env.py's source: for each name feeding the
 * assignment, the dotted path it stands for (e.g. "myapp.models.Base.metadata"). Relative modules
 * keep their leading dots.
 */
export function targetMetadataModules(source: string): string[] {
  let statements: Token[][]
  try {
    statements = logicalLines(normalizeNewlines(source)).flatMap((l) => splitOn(l.tokens, ';'))
  } catch (error) {
    if (error instanceof PySyntaxError) return []
    throw error
  }
  const imports = new Map<string, string>() // local name -> dotted path it stands for
  const stars: string[] = [] // modules of `from X import *`
  const assigned = new Map<string, Token[]>() // local name -> right-hand side (last wins)
  for (const t of statements) {
    const first = t[0]?.text
    if (first === 'from') readFrom(t, imports, stars)
    else if (first === 'import') readImport(t, imports)
    else if (t[0]?.kind === 'name' && t[1]?.text === '=' && t[2] !== undefined)
      assigned.set(first as string, t.slice(2))
  }
  const target = assigned.get('target_metadata')
  if (!target) return []

  const out: string[] = []
  // `suffix`: what followed a local name, carried through its assignment (Base = m.Base; Base.metadata).
  const expand = (rhs: Token[], depth: number, suffix: string[]): void => {
    for (const chain of dottedChains(rhs)) {
      const [head = '', ...rest] = chain
      const imported = imports.get(head)
      if (imported) out.push([imported, ...rest, ...suffix].join('.'))
      else if (depth < 3 && assigned.has(head) && head !== 'target_metadata')
        expand(assigned.get(head) ?? [], depth + 1, [...rest, ...suffix])
      else for (const star of stars) out.push([star, ...chain, ...suffix].join('.'))
    }
  }
  expand(target, 0, [])
  return out
}

/** `from X import a as b, c` and `from . import x`, brackets allowed. */
function readFrom(t: Token[], imports: Map<string, string>, stars: string[]): void {
  const at = t.findIndex((tok) => tok.kind === 'name' && tok.text === 'import')
  if (at < 0) return
  const module = t
    .slice(1, at)
    .map((tok) => tok.text)
    .join('')
  for (const item of splitOn(
    t.slice(at + 1).filter((tok) => tok.text !== '(' && tok.text !== ')'),
    ',',
  )) {
    if (item[0]?.text === '*') {
      stars.push(module)
      continue
    }
    const name = item[0]?.text
    if (!name) continue
    const alias = item[1]?.text === 'as' ? item[2]?.text : undefined
    imports.set(alias ?? name, module.endsWith('.') ? `${module}${name}` : `${module}.${name}`)
  }
}

/** `import a.b as c` binds c to a.b; `import a.b` binds a. */
function readImport(t: Token[], imports: Map<string, string>): void {
  for (const item of splitOn(t.slice(1), ',')) {
    const asAt = item.findIndex((tok) => tok.text === 'as')
    const dotted = (asAt < 0 ? item : item.slice(0, asAt)).map((tok) => tok.text).join('')
    if (!dotted) continue
    const alias = asAt >= 0 ? item[asAt + 1]?.text : undefined
    if (alias) imports.set(alias, dotted)
    else imports.set(dotted.split('.')[0] as string, dotted.split('.')[0] as string)
  }
}

const NOT_MODULES = new Set(['None', 'True', 'False', 'and', 'or', 'not', 'if', 'else', 'for', 'in', 'lambda'])

/** Every `a.b.c` chain of names in an expression that does not follow a dot. */
function dottedChains(tokens: Token[]): string[][] {
  const chains: string[][] = []
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token
    if (tok.kind !== 'name' || NOT_MODULES.has(tok.text) || tokens[i - 1]?.text === '.') continue
    const chain = [tok.text]
    while (tokens[i + 1]?.text === '.' && tokens[i + 2]?.kind === 'name') {
      chain.push((tokens[i + 2] as Token).text)
      i += 2
    }
    chains.push(chain)
  }
  return chains
}

function splitOn(tokens: Token[], op: string): Token[][] {
  const parts: Token[][] = [[]]
  for (const tok of tokens) {
    if (tok.kind === 'op' && tok.text === op) parts.push([])
    else parts[parts.length - 1]?.push(tok)
  }
  return parts.filter((p) => p.length > 0)
}

/**
 * The file of the longest prefix of `dotted` that is a module: "myapp.models.Base.metadata" tries
 * myapp/models/Base/metadata, then myapp/models/Base, then myapp/models(.py or /__init__.py), ...
 */
export function resolveModule(dotted: string, roots: string[], envDir: string): string | undefined {
  const dots = /^\.*/.exec(dotted)?.[0].length ?? 0
  const parts = dotted.slice(dots).split('.').filter(Boolean)
  const bases = dots > 0 ? [path.resolve(envDir, ...Array<string>(dots - 1).fill('..'))] : roots
  for (let n = parts.length; n >= 1; n--) {
    for (const root of bases) {
      const stem = path.join(root, ...parts.slice(0, n))
      for (const candidate of [`${stem}.py`, path.join(stem, '__init__.py')]) {
        if (isFile(candidate)) return candidate
      }
    }
  }
  return undefined
}

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile()
}
