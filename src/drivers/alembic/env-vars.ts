// Which environment variables env.py reads its database settings from, found without running it:
// env.py and the project modules it imports (two levels), for os.environ[...], os.environ.get(...),
// os.getenv(...) and the fields of pydantic BaseSettings classes. Used only to say, when env.py
// could not reach the scratch database, which names the user should hand the gate: a hint, so a
// text scan is enough, and a name it misses costs a less helpful message, never a verdict.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { AlembicConfig } from './config.js'
import { moduleRoots, resolveModule } from './target-metadata.js'

export interface EnvVarUse {
  name: string
  /** Relative to the project directory. */
  file: string
}

const ENV_READ =
  /\b(?:os\.)?(?:environ\s*\[\s*|environ\.get\s*\(\s*|environ\.setdefault\s*\(\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']/g
const IMPORT = /^[ \t]*(?:from[ \t]+([.\w]+)[ \t]+import|import[ \t]+([\w.]+))/gm
const SETTINGS_CLASS = /^([ \t]*)class[ \t]+\w+[ \t]*\([^)]*\bBaseSettings\b[^)]*\)[ \t]*:[ \t]*(?:#.*)?$/gm

/** The variables, in the order first read, with the file that reads each. */
export function envVarsReadByEnvPy(config: AlembicConfig): EnvVarUse[] {
  const envPy = path.join(config.scriptLocation, 'env.py')
  const roots = moduleRoots(config)
  const seen = new Set<string>()
  const found = new Map<string, EnvVarUse>()
  const visit = (file: string, depth: number): void => {
    if (seen.has(file)) return
    seen.add(file)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      return
    }
    const rel = path.relative(config.projectDir, file).split(path.sep).join('/')
    for (const name of [...envReads(text), ...settingsFields(text)]) {
      if (!found.has(name)) found.set(name, { name, file: rel })
    }
    if (depth >= 2) return
    for (const m of text.matchAll(IMPORT)) {
      const dotted = m[1] ?? m[2]
      if (!dotted) continue
      const target = resolveModule(dotted, roots, path.dirname(file))
      if (target) visit(target, depth + 1)
    }
  }
  visit(envPy, 0)
  return [...found.values()]
}

function envReads(text: string): string[] {
  return [...text.matchAll(ENV_READ)].map((m) => m[1] as string)
}

/** Annotated fields of `class X(BaseSettings):` bodies (pydantic maps each to a variable of its name). */
function settingsFields(text: string): string[] {
  const lines = text.split('\n')
  const fields: string[] = []
  for (const m of text.matchAll(SETTINGS_CLASS)) {
    const indent = (m[1] ?? '').length
    let i = text.slice(0, m.index).split('\n').length // the line after the class statement
    for (; i < lines.length; i++) {
      const line = lines[i] as string
      if (!line.trim() || line.trim().startsWith('#')) continue
      const own = line.length - line.trimStart().length
      if (own <= indent) break
      const field = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(?!=)/.exec(line)
      if (field?.[1] && own === indentOfBody(lines, m.index, text)) fields.push(field[1])
    }
  }
  return fields
}

/** The indentation of the first statement in a class body (fields sit there, methods' bodies deeper). */
function indentOfBody(lines: string[], classAt: number, text: string): number {
  for (let i = text.slice(0, classAt).split('\n').length; i < lines.length; i++) {
    const line = lines[i] as string
    if (line.trim() && !line.trim().startsWith('#')) return line.length - line.trimStart().length
  }
  return -1
}
