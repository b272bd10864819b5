// Finds an Alembic project's configuration and its versions directories without running Python,
// following what alembic.config.Config and ScriptDirectory.from_config do (read from Alembic 1.8's
// and 1.20's source). The runtime (session.ts) runs with the project directory as its working
// directory, so relative paths resolve from there, as they do for a user running `alembic` there.
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs'
import path from 'node:path'
import { GateError } from '../../errors.js'
import { projectsBelowHint } from '../projects-below.js'
import { IniError, iniGet, parseIni, type Ini } from './ini.js'
import { readToolAlembic, tomlInterpolate, type TomlValue } from './pyproject.js'

export interface AlembicConfig {
  /** Absolute project directory. */
  projectDir: string
  /** Absolute path of the alembic.ini in use. */
  iniPath: string
  /** Absolute script directory (env.py, script.py.mako, versions/). */
  scriptLocation: string
  /**
   * Set when the runtime must pass script_location itself (absolute): Flask-Migrate's ini has none
   * (flask-migrate sets it to the ini's directory), or a relative script_location only resolves
   * from the ini's directory, not from the project directory Alembic runs in.
   */
  scriptLocationOverride?: string
  /** Absolute version directories that exist, in configured order, without duplicates. */
  versionDirs: string[]
  /** recursive_version_locations = true (Alembic 1.10+): revisions in subdirectories count too. */
  recursiveVersionLocations: boolean
  /** sqlalchemy.url is set in [alembic] (the gate overrides it; env.py may read it). */
  hasSqlalchemyUrl: boolean
  /** A Flask-Migrate project (migrations/alembic.ini without script_location, env.py beside it). */
  flaskMigrate: boolean
  /** The pyproject.toml whose [tool.alembic] table supplied values, when one did (Alembic 1.16+). */
  pyprojectPath?: string
}

// The separators Alembic accepts for version_locations (path_separator in 1.16+, version_path_separator before).
const SEPARATORS: Record<string, string> = { space: ' ', newline: '\n', os: path.delimiter, ':': ':', ';': ';' }

/**
 * Reads the Alembic configuration of `projectDir`. `configPath` (the `config` input) is relative to
 * the project directory; without it, alembic.ini is looked for in the project directory, then in
 * its migrations/ (Flask-Migrate). Throws GateError naming the input on anything unusable.
 */
export function readAlembicConfig(projectDir: string, configPath?: string): AlembicConfig {
  const project = path.resolve(projectDir)
  if (!isDir(project)) throw new GateError(`working-directory: ${projectDir} is not a directory`, 'working-directory')
  const input = configPath ? 'config' : 'working-directory'
  const fail = (message: string): never => {
    throw new GateError(`${input}: ${message}`, input)
  }

  const iniPath = findIni(project, configPath)
  const shown = path.relative(project, iniPath) || iniPath
  const iniDir = path.dirname(iniPath)
  let ini: Ini
  try {
    ini = parseIni(readFileSync(iniPath, 'utf8'), { here: iniDir })
  } catch (error) {
    if (error instanceof IniError) fail(`${shown}${error.line ? ` line ${error.line}` : ''}: ${error.message}`)
    return fail(`cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
  const get = (key: string): string | undefined => {
    try {
      return iniGet(ini, 'alembic', key)
    } catch (error) {
      if (error instanceof IniError) fail(`${shown} [alembic]: ${error.message}`)
      throw error
    }
  }

  // Alembic 1.16+ reads pyproject.toml from the working directory; .ini values take precedence.
  const tomlPath = path.join(project, 'pyproject.toml')
  const toml = existsSync(tomlPath) ? readToolAlembic(readFileSync(tomlPath, 'utf8')) : undefined
  // Called only for keys the .ini leaves unset, so any value returned here is one the toml supplied.
  let usedToml = false
  const fromToml = (key: string): TomlValue | undefined => {
    const v = toml?.get(key)
    if (v === undefined) return undefined
    usedToml = true
    const args = { here: project }
    return typeof v === 'string'
      ? tomlInterpolate(v, args)
      : Array.isArray(v)
        ? v.map((s) => tomlInterpolate(s, args))
        : v
  }
  const tomlString = (key: string): string | undefined => {
    const v = fromToml(key)
    return typeof v === 'string' ? v : undefined
  }

  const config: AlembicConfig = {
    projectDir: project,
    iniPath,
    scriptLocation: '',
    versionDirs: [],
    recursiveVersionLocations: false,
    hasSqlalchemyUrl: Boolean(ini.sections.get('alembic')?.get('sqlalchemy.url')),
    flaskMigrate: false,
  }

  const scriptLocation = get('script_location') ?? tomlString('script_location')
  if (scriptLocation === undefined || scriptLocation === '') {
    // Flask-Migrate's alembic.ini has no script_location: flask-migrate sets it to the ini's directory.
    if (!existsSync(path.join(iniDir, 'env.py'))) {
      fail(
        `${shown} has no script_location in [alembic] (nor pyproject.toml [tool.alembic]), and no env.py beside it as Flask-Migrate keeps`,
      )
    }
    config.flaskMigrate = true
    config.scriptLocation = iniDir
    config.scriptLocationOverride = iniDir
  } else {
    const resolved = resolveLocation(scriptLocation, project, iniDir)
    if (!isDir(resolved.path))
      fail(`script_location ${scriptLocation} in ${shown}: directory ${resolved.path} does not exist`)
    config.scriptLocation = resolved.path
    if (resolved.fromIniDir) config.scriptLocationOverride = resolved.path
  }

  const configured = versionLocations(get, fromToml, fail)
  // A script directory with neither env.py nor versions/ (script_location = /, or .), and no
  // version_locations elsewhere, is no Alembic script directory: every command fails there. One of
  // them may be absent (a chain read statically without env.py; versions/ not yet in git), not both.
  const script = config.scriptLocation
  if (!configured && !lexists(path.join(script, 'env.py')) && !lexists(path.join(script, 'versions'))) {
    fail(
      `script_location ${scriptLocation ?? script} in ${shown}: ${script} holds neither env.py nor versions/, so it is not the Alembic script directory (alembic init makes one)`,
    )
  }
  const locations = configured ?? [path.join(config.scriptLocation, 'versions')]
  const seen = new Set<string>()
  for (const location of locations) {
    const dir = resolveLocation(location, project, iniDir).path
    if (!isDir(dir)) {
      // The default versions/ of a project without revisions yet may simply be absent (git keeps no
      // empty directory). Anything else is a chain that cannot be read, and zero revisions would pass.
      const present = lexists(dir)
      if (!configured && !present) continue
      const where = configured
        ? `version_locations in ${usedToml && !get('version_locations') ? 'pyproject.toml [tool.alembic]' : shown}:`
        : `the versions directory of script_location in ${shown},`
      const what = present
        ? 'is not a directory (a file, or a symlink that leads nowhere or in a loop)'
        : 'does not exist'
      fail(
        `${where} ${dir} ${what}, so Alembic cannot read revisions from it. Create it (git keeps no empty directory: add a .gitkeep) or fix the setting`,
      )
    }
    const real = realpathSync(dir)
    if (seen.has(real)) continue
    seen.add(real)
    config.versionDirs.push(dir)
  }

  const recursive = get('recursive_version_locations')
  config.recursiveVersionLocations =
    recursive !== undefined ? recursive === 'true' : fromToml('recursive_version_locations') === true
  if (usedToml) config.pyprojectPath = tomlPath
  return config
}

function findIni(project: string, configPath: string | undefined): string {
  if (configPath) {
    const p = path.resolve(project, configPath)
    if (!existsSync(p)) throw new GateError(`config: ${configPath} does not exist (looked at ${p})`, 'config')
    if (isDir(p)) throw new GateError(`config: ${configPath} is a directory; give the alembic.ini file`, 'config')
    return p
  }
  const candidates = [path.join(project, 'alembic.ini'), path.join(project, 'migrations', 'alembic.ini')]
  const found = candidates.find((p) => existsSync(p))
  if (!found) {
    throw new GateError(
      `working-directory: no alembic.ini in ${project} or its migrations/ directory${projectsBelowHint(project) || '; set config to the alembic.ini path'}`,
      'working-directory',
    )
  }
  return found
}

/** version_locations split as Alembic splits it; undefined when not configured. */
function versionLocations(
  get: (key: string) => string | undefined,
  fromToml: (key: string) => TomlValue | undefined,
  fail: (message: string) => never,
): string[] | undefined {
  const raw = get('version_locations')
  if (!raw) {
    const list = fromToml('version_locations')
    return Array.isArray(list) ? list : undefined
  }
  const name = get('path_separator') !== undefined ? 'path_separator' : 'version_path_separator'
  const setting = get(name)
  if (setting === undefined) {
    // Alembic's legacy behaviour without a separator setting: split on commas and spaces.
    return raw.split(/, *| +/).filter(Boolean)
  }
  const sep = SEPARATORS[setting]
  if (sep === undefined) {
    const hint = setting.includes('#')
      ? ' (an .ini value keeps a trailing "# comment" as part of the value: move the comment to its own line)'
      : ''
    return fail(`${name} = ${setting} is not one of space, newline, os, :, ; and Alembic refuses it${hint}`)
  }
  return raw
    .split(sep)
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * Resolves a script or version location. `package:resource` (e.g. myapp:migrations) is the
 * directory inside an importable package: looked for in the project directory and in src/.
 * A relative path resolves from the project directory (Alembic's working directory) and, failing
 * that, from the ini's directory (for an ini written to be run from where it lives).
 */
function resolveLocation(location: string, project: string, iniDir: string): { path: string; fromIniDir: boolean } {
  if (!path.isAbsolute(location) && location.includes(':')) {
    const [pkg = '', ...resource] = location.split(':')
    const rel = path.join(...pkg.split('.'), ...resource)
    const candidates = [path.join(project, rel), path.join(project, 'src', rel)]
    return { path: candidates.find(isDir) ?? (candidates[0] as string), fromIniDir: false }
  }
  if (path.isAbsolute(location)) return { path: path.normalize(location), fromIniDir: false }
  const fromProject = path.resolve(project, location)
  if (isDir(fromProject) || iniDir === project) return { path: fromProject, fromIniDir: false }
  const fromIni = path.resolve(iniDir, location)
  return isDir(fromIni) ? { path: fromIni, fromIniDir: true } : { path: fromProject, fromIniDir: false }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/** Whether anything, even a broken symlink, stands at `p`. */
function lexists(p: string): boolean {
  try {
    lstatSync(p)
    return true
  } catch {
    return false
  }
}
