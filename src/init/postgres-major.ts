// The PostgreSQL major production runs, as far as the repository says: the postgres image its
// docker-compose.yml (or compose.yaml) names. Read line by line for `image:`, not as YAML: the
// image line is all this needs, and a compose file with anchors or merge keys reads the same.
import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { SUPPORTED_MAJORS } from '../postgres/postgres-version.js'

/** The names Compose looks for, in its own order of preference. */
const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml']
/** Images built on the official one (same environment variables), carrying extensions migrations may create. */
const DERIVED = new Set(['postgis/postgis', 'timescale/timescaledb', 'pgvector/pgvector'])

export interface PostgresFound {
  /** "16"; "9.6" for the majors before 10. */
  major: string
  /** The image as the compose file writes it. */
  image: string
  /** The compose file, relative to the repository root. */
  file: string
  /** The postgres-image input to write. */
  postgresImage: string
  /** The compose file's own image is kept (postgis and the like), not replaced by postgres:<major>-alpine. */
  kept: boolean
}

/** What the workflow sets: postgres-version for a major the gate supports, postgres-image for an image it keeps or a major outside that range. */
export function postgresInputs(found: PostgresFound): { version?: string; image?: string } {
  const supported = SUPPORTED_MAJORS.includes(Number(found.major)) && /^\d+$/.test(found.major)
  if (!supported) return { image: found.postgresImage }
  return { version: found.major, ...(found.kept ? { image: found.postgresImage } : {}) }
}

export interface PostgresLookup {
  found?: PostgresFound
  /** Compose files read that name no usable postgres image (relative to the root), for the message. */
  without: string[]
}

export function postgresFromCompose(dirs: string[], root: string): PostgresLookup {
  const without: string[] = []
  for (const dir of dirs) {
    for (const name of COMPOSE_FILES) {
      const file = path.join(dir, name)
      if (!existsSync(file)) continue
      const rel = path.relative(root, file).split(path.sep).join('/')
      const found = postgresImageIn(readFileSync(file, 'utf8'))
      if (found) return { found: { ...found, file: rel }, without }
      without.push(rel)
    }
  }
  return { without }
}

/** The first postgres image with a major in a compose file's text. */
export function postgresImageIn(text: string): Omit<PostgresFound, 'file'> | undefined {
  for (const m of text.matchAll(/^\s*-?\s*image:\s*["']?([^\s"'#]+)/gm)) {
    // `postgres:${PG_VERSION:-16}`: the default Compose falls back to.
    const image = (m[1] as string).replace(/\$\{[A-Za-z_][A-Za-z0-9_]*:?-([^}]*)\}/g, '$1')
    const found = majorOf(image)
    if (found) return { image: m[1] as string, ...found }
  }
  return undefined
}

function majorOf(image: string): { major: string; postgresImage: string; kept: boolean } | undefined {
  const at = image.indexOf('@')
  const ref = at === -1 ? image : image.slice(0, at)
  const colon = ref.lastIndexOf(':')
  if (colon === -1 || ref.slice(colon).includes('/')) return undefined
  const repo = ref.slice(0, colon)
  const tag = ref.slice(colon + 1)
  // docker.io/library/postgres, library/postgres and postgres are the same image.
  const name = repo.replace(/^(docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '')
  const last = name.split('/').at(-1) as string
  let major: string | undefined
  if (last === 'postgres' || last === 'postgresql' || name === 'postgis/postgis') major = leadingMajor(tag)
  else if (last === 'timescaledb' || last === 'timescaledb-ha' || last === 'pgvector') {
    major = /(?:^|-)pg(\d+)/.exec(tag)?.[1]
  }
  if (!major) return undefined
  // An extension image stays: the migrations may CREATE EXTENSION postgis, which plain postgres lacks.
  const kept = DERIVED.has(name)
  return { major, postgresImage: kept ? image : `postgres:${major}-alpine`, kept }
}

/** "16", "16.2", "16-alpine", "15-3.4" -> "16"/"15"; "9.6" -> "9.6" (a major before 10 has two parts). */
function leadingMajor(tag: string): string | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(tag)
  if (!m) return undefined
  return Number(m[1]) < 10 && m[2] !== undefined ? `${m[1]}.${m[2]}` : (m[1] as string)
}
