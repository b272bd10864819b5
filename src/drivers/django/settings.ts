// A Django project's apps as Django resolves them, read statically: the settings module (the
// `django-settings` input, else manage.py's DJANGO_SETTINGS_MODULE default), its INSTALLED_APPS
// (literals, `+`/`+=`, names of other settings, `from .base import *` of the project's own modules),
// each app's label (its AppConfig's `label`, else the module's last part), MIGRATION_MODULES and
// AUTH_USER_MODEL. Where INSTALLED_APPS cannot be read this way, the project's
// `<app>/migrations/` packages stand for the apps, and a note says so.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { logicalLines, normalizeNewlines, type LogicalLine } from '../alembic/pytokens.js'
import { pyValue, stringsOf, type PyValue } from './pyvalue.js'

export interface DjangoApp {
  label: string
  /** The app's Python module, dotted ("shop.orders"). */
  module: string
  /** Absolute directory of its migrations package; null for an app Django treats as unmigrated. */
  migrationsDir: string | null
}

export interface DjangoProject {
  projectDir: string
  /** Dotted settings module, when known. */
  settingsModule?: string
  /** Absolute settings file, when found. */
  settingsFile?: string
  /** Apps whose code is in the project. */
  apps: DjangoApp[]
  /** Labels of installed apps outside the project (django.contrib.auth: auth): their migrations ship with them. */
  externalLabels: Set<string>
  /** AUTH_USER_MODEL ("auth.User" unless the settings say otherwise). */
  authUserModel: string
  /** True when the apps come from scanning for migrations packages, not from INSTALLED_APPS. */
  scanned: boolean
  notes: string[]
}

const SETTINGS_DEFAULT = /DJANGO_SETTINGS_MODULE['"]\s*,\s*['"]([\w.]+)['"]/

/** The settings module manage.py names as the default (`os.environ.setdefault(...)`), if any. */
export function settingsFromManagePy(projectDir: string): string | undefined {
  const file = path.join(projectDir, 'manage.py')
  if (!existsSync(file)) return undefined
  return SETTINGS_DEFAULT.exec(readFileSync(file, 'utf8'))?.[1]
}

export function readDjangoProject(projectDir: string, settingsInput?: string): DjangoProject {
  const notes: string[] = []
  const settingsModule = settingsInput || settingsFromManagePy(projectDir)
  const project: DjangoProject = {
    projectDir,
    apps: [],
    externalLabels: new Set(),
    authUserModel: 'auth.User',
    scanned: false,
    notes,
  }
  if (settingsModule) project.settingsModule = settingsModule
  const settingsFile = settingsModule ? moduleFile(projectDir, settingsModule) : undefined
  if (settingsFile) project.settingsFile = settingsFile
  const env = settingsFile ? readSettings(projectDir, settingsFile, notes) : new Map<string, PyValue>()
  const user = env.get('AUTH_USER_MODEL')
  if (user?.kind === 'str') project.authUserModel = user.value
  const installed = env.get('INSTALLED_APPS')
  const entries = installed ? stringsOf(installed) : undefined
  if (!entries) {
    const why = !settingsModule
      ? 'no settings module (manage.py sets no DJANGO_SETTINGS_MODULE default; set django-settings)'
      : !settingsFile
        ? `settings module ${settingsModule} not found in the project`
        : `INSTALLED_APPS in ${rel(projectDir, settingsFile)} is not a list of string literals the gate can read without running Python`
    notes.push(`django: ${why}; the apps are the project's <app>/migrations/ packages instead`)
    project.scanned = true
    project.apps = scanApps(projectDir)
    return project
  }
  const migrationModules = readMigrationModules(env.get('MIGRATION_MODULES'), notes)
  for (const entry of entries) {
    const app = resolveApp(projectDir, entry)
    if (!app) {
      project.externalLabels.add(externalLabel(entry))
      continue
    }
    const explicit = migrationModules.get(app.label)
    let migrationsDir: string | null
    if (explicit === null) migrationsDir = null
    else {
      const module = explicit ?? `${app.module}.migrations`
      const dir = path.join(projectDir, ...module.split('.'))
      migrationsDir = isDir(dir) ? dir : null
      if (migrationsDir && !existsSync(path.join(dir, '__init__.py'))) {
        // Django treats a namespace package (no __init__.py) as an app without migrations.
        notes.push(`django: ${rel(projectDir, dir)} has no __init__.py, so Django does not load its migrations`)
        migrationsDir = null
      }
    }
    project.apps.push({ label: app.label, module: app.module, migrationsDir })
  }
  return project
}

/** Top-level settings, in order, following `from <project module> import *` (a settings package's base.py). */
function readSettings(projectDir: string, file: string, notes: string[], depth = 0): Map<string, PyValue> {
  const env = new Map<string, PyValue>()
  let lines: LogicalLine[]
  let text = ''
  try {
    text = normalizeNewlines(readFileSync(file, 'utf8'))
    lines = logicalLines(text)
  } catch {
    notes.push(`django: ${rel(projectDir, file)} is not valid Python`)
    return env
  }
  for (const line of lines) {
    const t = line.tokens
    if (!line.topLevel) {
      // `if DEBUG: INSTALLED_APPS += [...]`: the gate cannot tell whether it runs.
      if (t[0]?.text === 'INSTALLED_APPS' || t[0]?.text === 'MIGRATION_MODULES') {
        // Each place named by its line: a settings file may change it conditionally more than once.
        const at = text.slice(0, t[0].offset).split('\n').length
        notes.push(
          `django: ${rel(projectDir, file)}:${at} changes ${t[0].text} conditionally; the gate reads only its unconditional value`,
        )
      }
      continue
    }
    if (t[0]?.text === 'from' && t[t.length - 1]?.text === '*' && depth < 5) {
      const target = starImport(
        projectDir,
        file,
        t
          .slice(1, -2)
          .map((x) => x.text)
          .join(''),
      )
      if (target) for (const [k, v] of readSettings(projectDir, target, notes, depth + 1)) env.set(k, v)
      continue
    }
    const name = t[0]
    const op = t[1]?.text
    if (name?.kind !== 'name' || (op !== '=' && op !== '+=')) continue
    const value = resolveNames(pyValue(t.slice(2)), env)
    const before = env.get(name.text)
    env.set(name.text, op === '=' ? value : concat([before ?? { kind: 'unknown', what: 'unset' }, value]))
  }
  return env
}

function resolveNames(value: PyValue, env: Map<string, PyValue>): PyValue {
  if (value.kind === 'name') return env.get(value.dotted) ?? { kind: 'unknown', what: `the name ${value.dotted}` }
  if (value.kind === 'concat') return concat(value.parts.map((p) => resolveNames(p, env)))
  return value
}

function concat(parts: PyValue[]): PyValue {
  if (parts.every((p) => p.kind === 'seq'))
    return { kind: 'seq', items: parts.flatMap((p) => (p.kind === 'seq' ? p.items : [])) }
  if (parts.every((p) => p.kind === 'str'))
    return { kind: 'str', value: parts.map((p) => (p.kind === 'str' ? p.value : '')).join('') }
  return { kind: 'unknown', what: 'a sum of values the gate cannot read' }
}

/** `from .base import *` (relative to `file`) or `from shop.settings.base import *`. */
function starImport(projectDir: string, file: string, module: string): string | undefined {
  const dots = /^\.*/.exec(module)?.[0].length ?? 0
  if (dots === 0) return moduleFile(projectDir, module)
  let dir = path.dirname(file)
  for (let i = 1; i < dots; i++) dir = path.dirname(dir)
  const rest = module.slice(dots)
  return rest ? fileOf(path.join(dir, ...rest.split('.'))) : fileOf(dir)
}

function readMigrationModules(value: PyValue | undefined, notes: string[]): Map<string, string | null> {
  const map = new Map<string, string | null>()
  if (!value) return map
  if (value.kind !== 'dict') {
    notes.push("django: MIGRATION_MODULES is not a dict literal; each app's migrations are read from <app>/migrations/")
    return map
  }
  for (const [k, v] of value.entries) {
    if (k.kind !== 'str') continue
    if (v.kind === 'str') map.set(k.value, v.value)
    else if (v.kind === 'const' && v.value === null) map.set(k.value, null)
  }
  return map
}

/** An INSTALLED_APPS entry whose code is in the project: its module and label; undefined for an external app. */
function resolveApp(projectDir: string, entry: string): { module: string; label: string } | undefined {
  const parts = entry.split('.')
  if (isDir(path.join(projectDir, ...parts))) {
    // A module path: Django 3.2+ uses the AppConfig in its apps.py when there is exactly one (or one default = True).
    const configs = appConfigs(path.join(projectDir, ...parts, 'apps.py'))
    const chosen = configs.find((c) => c.default) ?? (configs.length === 1 ? configs[0] : undefined)
    return { module: entry, label: chosen?.label ?? (parts[parts.length - 1] as string) }
  }
  // A dotted AppConfig path: orders.apps.OrdersConfig.
  const className = parts[parts.length - 1] as string
  const file = moduleFile(projectDir, parts.slice(0, -1).join('.'))
  if (!file) return undefined
  const config = appConfigs(file).find((c) => c.name === className)
  const module = config?.module ?? parts.slice(0, parts[parts.length - 2] === 'apps' ? -2 : -1).join('.')
  return { module, label: config?.label ?? (module.split('.').pop() as string) }
}

/** The AppConfig-like classes of a file with their `name`, `label` and `default` attributes. */
function appConfigs(file: string): { name: string; module?: string; label?: string; default: boolean }[] {
  if (!existsSync(file)) return []
  let lines: LogicalLine[]
  try {
    lines = logicalLines(normalizeNewlines(readFileSync(file, 'utf8')))
  } catch {
    return []
  }
  const found: { name: string; module?: string; label?: string; default: boolean }[] = []
  let current: (typeof found)[number] | undefined
  for (const line of lines) {
    const [a, b, c] = line.tokens
    if (line.topLevel) {
      current = a?.text === 'class' && b?.kind === 'name' ? { name: b.text, default: false } : undefined
      // Only subclasses of something named *AppConfig* (AppConfig, apps.AppConfig).
      if (current && line.tokens.some((t) => t.kind === 'name' && t.text.endsWith('AppConfig'))) found.push(current)
      continue
    }
    if (!current || c === undefined || b?.text !== '=') continue
    const value = pyValue(line.tokens.slice(2))
    if (a?.text === 'label' && value.kind === 'str') current.label = value.value
    if (a?.text === 'name' && value.kind === 'str') current.module = value.value
    if (a?.text === 'default' && value.kind === 'const') current.default = value.value === true
  }
  return found
}

/** django.contrib.auth -> auth; allauth.account.apps.AccountConfig -> account. */
function externalLabel(entry: string): string {
  const parts = entry.split('.')
  if (parts.length > 2 && parts[parts.length - 2] === 'apps') return parts[parts.length - 3] as string
  return parts[parts.length - 1] as string
}

const SKIP = new Set(['node_modules', '__pycache__', 'venv', 'site-packages', 'env'])

/** Every `<app>/migrations/` package below the project (4 levels), as an app labelled by its directory. */
export function scanApps(projectDir: string): DjangoApp[] {
  const apps: DjangoApp[] = []
  const walk = (dir: string, depth: number): void => {
    let entries
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))) {
      if (!e.isDirectory() || e.name.startsWith('.') || SKIP.has(e.name)) continue
      const abs = path.join(dir, e.name)
      if (e.name === 'migrations' && existsSync(path.join(abs, '__init__.py')) && dir !== projectDir) {
        const module = path.relative(projectDir, dir).split(path.sep).join('.')
        apps.push({ label: path.basename(dir), module, migrationsDir: abs })
        continue
      }
      if (depth < 4) walk(abs, depth + 1)
    }
  }
  walk(projectDir, 0)
  return apps
}

/** a.b -> <projectDir>/a/b.py or a/b/__init__.py, when it exists. */
function moduleFile(projectDir: string, module: string): string | undefined {
  if (!/^[\w.]+$/.test(module)) return undefined
  return fileOf(path.join(projectDir, ...module.split('.')))
}

function fileOf(base: string): string | undefined {
  if (existsSync(`${base}.py`)) return `${base}.py`
  const init = path.join(base, '__init__.py')
  return existsSync(init) ? init : undefined
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

function rel(projectDir: string, p: string): string {
  return path.relative(projectDir, p).split(path.sep).join('/')
}
