// Which environment variables env.py reads its database settings from, found without running it:
// env.py (for Flask-Migrate, the app FLASK_APP names) and the project modules it imports (two levels), for os.environ[...], os.environ.get(...),
// os.getenv(...) and the fields of pydantic BaseSettings classes. Used only to say, when env.py
// could not reach the scratch database, which names the user should hand the gate: a hint, so a
// text scan is enough, and a name it misses costs a less helpful message, never a verdict.
import { existsSync, readFileSync } from 'node:fs'
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
  // Flask-Migrate's env.py takes the URL from the app, which is where its settings are read.
  if (config.flaskMigrate) for (const app of flaskAppFiles(config, roots)) visit(app, 0)
  return [...found.values()]
}

/** The module FLASK_APP names (the environment, else .flaskenv), and the files Flask looks for without it. */
function flaskAppFiles(config: AlembicConfig, roots: string[]): string[] {
  let named = process.env.FLASK_APP
  if (!named) {
    try {
      named = /^\s*(?:export\s+)?FLASK_APP\s*=\s*["']?([^"'\s#]+)/m.exec(
        readFileSync(path.join(config.projectDir, '.flaskenv'), 'utf8'),
      )?.[1]
    } catch {
      named = undefined
    }
  }
  const module = named?.split(':')[0]
  const files = [
    ...(module
      ? [
          module.endsWith('.py')
            ? path.resolve(config.projectDir, module)
            : resolveModule(module, roots, config.projectDir),
        ]
      : []),
    path.join(config.projectDir, 'app.py'),
    path.join(config.projectDir, 'wsgi.py'),
  ]
  return files.filter((f): f is string => f !== undefined && existsSync(f))
}

function envReads(text: string): string[] {
  return [...text.matchAll(ENV_READ)].map((m) => m[1] as string)
}

/**
 * The variables pydantic reads for `class X(BaseSettings):`: one per annotated field, upper-cased
 * (pydantic matches them case-insensitively); with `env_nested_delimiter="__"`, a field typed by a
 * model of the same file stands for its fields (`database: Database` -> DATABASE__HOSTNAME, ...).
 */
function settingsFields(text: string): string[] {
  const nested = /env_nested_delimiter\s*=\s*["']([^"']+)["']/.exec(text)?.[1]
  const fields: string[] = []
  for (const m of text.matchAll(SETTINGS_CLASS)) {
    for (const [name, type] of classFields(text, m.index)) {
      const inner = nested && type ? classAt(text, type) : undefined
      if (nested && inner !== undefined) {
        for (const [sub] of classFields(text, inner)) fields.push(`${name}${nested}${sub}`.toUpperCase())
      } else {
        fields.push(name.toUpperCase())
      }
    }
  }
  return fields
}

/** The offset of `class NAME(...)` in the text, if the file defines it. */
function classAt(text: string, name: string): number | undefined {
  const m = new RegExp(`^[ \\t]*class[ \\t]+${name}\\b`, 'm').exec(text)
  return m?.index
}

/** [field, annotation's first name] for the annotated fields directly in the body of the class at `at`. */
function classFields(text: string, at: number): Array<[string, string | undefined]> {
  const lines = text.split('\n')
  const first = text.slice(0, at).split('\n').length - 1 // the class statement's line
  const indent = (lines[first] ?? '').length - (lines[first] ?? '').trimStart().length
  const body = indentOfBody(lines, at, text)
  const out: Array<[string, string | undefined]> = []
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i] as string
    if (!line.trim() || line.trim().startsWith('#')) continue
    const own = line.length - line.trimStart().length
    if (own <= indent) break
    const field = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:(?!=)\s*([A-Za-z_][A-Za-z0-9_]*)?/.exec(line)
    if (field?.[1] && own === body && field[1] !== 'model_config') out.push([field[1], field[2]])
  }
  return out
}

/** The indentation of the first statement in a class body (fields sit there, methods' bodies deeper). */
function indentOfBody(lines: string[], classAt: number, text: string): number {
  for (let i = text.slice(0, classAt).split('\n').length; i < lines.length; i++) {
    const line = lines[i] as string
    if (line.trim() && !line.trim().startsWith('#')) return line.length - line.trimStart().length
  }
  return -1
}
