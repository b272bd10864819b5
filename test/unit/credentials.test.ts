// Credentials in connection strings (src/postgres/credentials.ts) and the run's scrubbing (src/scrub.ts),
// on the texts the gate meets: the database-url as given, and errors as drivers print them (the
// SQLAlchemy lines below are what psycopg2 + SQLAlchemy 1.4 rendered in the fixture alembic-echo-url).
import { describe, expect, it } from 'vitest'
import {
  redactCredentials,
  secretsIn,
  withCredentialsFrom,
  withoutCredentials,
} from '../../src/postgres/credentials.js'
import { registerSecrets, scrub, scrubDeep } from '../../src/scrub.js'

describe('redactCredentials', () => {
  it.each([
    ['postgresql://u:pw-1@db:5432/app', 'postgresql://u:***@db:5432/app'],
    ['postgres://u@db/app?sslmode=require&password=pw-2', 'postgres://u@db/app?sslmode=require&password=***'],
    ['postgresql://u@db/app?pass%77ord=pw-3&x=1', 'postgresql://u@db/app?pass%77ord=***&x=1'],
    ['postgresql://u@db/app?passfile=/home/u/.pgpass', 'postgresql://u@db/app?passfile=***'],
    ['postgresql://u@db/app?sslkey=/k.pem&sslpassword=pw-4', 'postgresql://u@db/app?sslkey=/k.pem&sslpassword=***'],
    ['host=db user=u password=pw-5 dbname=app', 'host=db user=u password=*** dbname=app'],
    ["host=db password = 'a \\' b' dbname=app", 'host=db password = *** dbname=app'],
    ['env: PGPASSWORD=pw-6 PGHOST=db', 'env: PGPASSWORD=*** PGHOST=db'],
    [
      'cannot use postgresql+psycopg2://gate_pw:Enc%40%3A%2F?&=+@127.0.0.1:5/db (connection refused)',
      'cannot use postgresql+psycopg2://gate_pw:***@127.0.0.1:5/db (connection refused)',
    ],
  ])('%s', (text, redacted) => {
    expect(redactCredentials(text)).toBe(redacted)
  })

  it('leaves a URL without credentials, and one whose @ is in the path, as they are', () => {
    for (const text of ['postgresql://u@db:5432/app?sslmode=require', 'https://example.com/a/@b', 'user@example.com']) {
      expect(redactCredentials(text)).toBe(text)
    }
  })
})

describe('secretsIn', () => {
  it('decodes each form as libpq and pg read it', () => {
    expect(secretsIn('postgresql://u:p%40ss%20word@db/app')).toEqual(['p@ss word'])
    expect(secretsIn('postgresql://u@db/app?pass%77ord=a%26b+c')).toEqual(['a&b+c', 'a&b c'])
    expect(secretsIn("host=db password='it\\'s secret' sslpassword=phrase")).toEqual(["it's secret", 'phrase'])
    expect(secretsIn('postgresql://u@db/app?password=&sslmode=require')).toEqual([])
  })
})

describe('the ledger: without credentials, and with them again for the post step', () => {
  const input = 'postgresql://u:pw%2F1@db:5433/app?options=-c%20a%3Db&pass%77ord=pw-2&sslpassword=pw-3'

  it('keeps the other parameters byte for byte and drops every credential', () => {
    const stored = withoutCredentials(input)
    expect(stored).toBe('postgresql://u@db:5433/app?options=-c%20a%3Db')
    expect(withCredentialsFrom(stored, input)).toBe(
      'postgresql://u:pw%2F1@db:5433/app?options=-c%20a%3Db&pass%77ord=pw-2&sslpassword=pw-3',
    )
  })

  it('gives nothing back for another server or user', () => {
    const stored = withoutCredentials(input)
    expect(withCredentialsFrom(stored, 'postgresql://u:x@other:5433/app?password=y')).toBe(stored)
    expect(withCredentialsFrom(stored, 'postgresql://v:x@db:5433/app?password=y')).toBe(stored)
  })
})

describe('scrub', () => {
  it('removes a registered secret in every encoding drivers print it in', () => {
    registerSecrets('postgresql://u:Scrub1Secret%40%3A%2F%3F%26%3D%2B%20x@db/app')
    const printed = [
      'postgresql+psycopg2://u:Scrub1Secret%40%3A%2F?&=+ x@db/app', // SQLAlchemy 1.4's rendering
      'Scrub1Secret%40%3a%2f%3f%26%3d%2b%20x', // lower-case hex
      'Scrub1Secret%40%3A%2F%3F%26%3D%2B+x', // quote_plus
      "password='Scrub1Secret@:/?&=+ x'",
      'user=u password=Scrub1Secret@:/?&=+ x dbname=app', // libpq would not parse it; a message may say it
    ]
    for (const text of printed) expect(scrub(text)).not.toContain('Scrub1Secret')
    expect(scrub('user=u password=Scrub1Secret@:/?&=+ x dbname=app')).toBe('user=u password=*** dbname=app')
  })

  it('removes a registered secret with no key beside it, and leaves the rest of the text alone', () => {
    registerSecrets('postgresql://u@db/app?password=Scrub2Secret')
    expect(scrub('FATAL: bad token Scrub2Secret for u')).toBe('FATAL: bad token *** for u')
  })

  it('leaves a value shorter than 4 characters to the redaction by key', () => {
    registerSecrets('postgresql://u:pw@db/app')
    expect(scrub('upward postgresql://u:pw@db/app')).toBe('upward postgresql://u:***@db/app')
  })

  it("leaves alone a password that is the URL's user, host or database name: printed as such, it hides nothing", () => {
    // The CI service container's postgres:postgres: blanking it would turn PostgreSQL into ***QL.
    registerSecrets('postgresql://postgres:postgres@127.0.0.1:5432/postgres')
    expect(scrub('postgres: url PostgreSQL 15.18 ready')).toBe('postgres: url PostgreSQL 15.18 ready')
    expect(scrub('cannot use postgresql://postgres:postgres@127.0.0.1:5432/app')).toBe(
      'cannot use postgresql://postgres:***@127.0.0.1:5432/app',
    )
    registerSecrets("host=db user='admin' password=admin dbname=app")
    expect(scrub('role admin: password=admin')).toBe('role admin: password=***')
  })

  it('scrubs every string of a report, keeping its shape', () => {
    registerSecrets('postgresql://u:Scrub3Secret@db/app')
    const report = { result: 'fail', findings: [{ line: 3, details: ['x Scrub3Secret y'] }], n: null }
    expect(scrubDeep(report)).toEqual({ result: 'fail', findings: [{ line: 3, details: ['x *** y'] }], n: null })
  })
})
