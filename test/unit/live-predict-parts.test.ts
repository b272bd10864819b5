// The pure parts of mode live's prediction: which live-drift differences explain a database error,
// what pg_dump is given (the password in its environment, never its arguments), and how a dump is
// read before the restore (psql's meta-commands, the extensions it creates, the version table's pattern).
import { describe, expect, it } from 'vitest'
import { liveDrift, liveDriftOtherRevision } from '../../src/findings/live-drift.js'
import { driftExplaining, parseDifference } from '../../src/live/drift-explains.js'
import { pgDumpConnection } from '../../src/live/pg-dump.js'
import { exactTablePattern, extensionsIn, withoutMetaCommands } from '../../src/live/schema-copy.js'

const extraColumn = liveDrift(
  {
    difference: 'column pdfs.processing_started_at: present in the live database, absent in the migrations',
    direction: 'extra',
    owner: { revision: '68e1411b5760', relation: 'pdfs' },
  },
  {},
  'error',
)
const extraIdColumn = liveDrift(
  { difference: 'column orders.id: present in the live database, absent in the migrations', direction: 'extra' },
  {},
  'error',
)
const handIndex = liveDrift(
  {
    difference: 'index ix_chats_title on chats: present in the live database, absent in the migrations',
    direction: 'extra',
  },
  {},
  'error',
)
const missingTrigger = liveDrift(
  {
    difference: 'trigger accounts_touch on accounts: absent in the live database, present in the migrations',
    direction: 'missing',
  },
  {},
  'error',
)

describe('driftExplaining', () => {
  it('a column the error names, with its relation: the hand-added column the migration adds again', () => {
    const error = 'DuplicateColumn: column "processing_started_at" of relation "pdfs" already exists'
    expect(driftExplaining(error, [extraColumn, handIndex])).toEqual([
      'column pdfs.processing_started_at already exists in production, added by hand: no migration before this one creates it, and this one creates it again',
    ])
  })

  it('a column of the same name on another relation explains nothing', () => {
    expect(driftExplaining('column "id" of relation "users" already exists', [extraIdColumn])).toEqual([])
  })

  it('an index the error names alone, its table unnamed; a missing object said as missing', () => {
    expect(driftExplaining('relation "ix_chats_title" already exists', [handIndex])).toEqual([
      'index ix_chats_title on chats already exists in production, added by hand: no migration before this one creates it, and this one creates it again',
    ])
    expect(
      driftExplaining('trigger "accounts_touch" for relation "accounts" does not exist', [missingTrigger]),
    ).toEqual([
      'trigger accounts_touch on accounts is missing in production, though the migrations before this one build it',
    ])
  })

  it('the differences of a finding naming the revision whose schema production has', () => {
    const other = liveDriftOtherRevision(
      {
        stamped: '68e1411b5760',
        matches: 'c41f0a9e2b7d',
        alsoMatching: [],
        differences: ['column pdfs.processing_started_at: present in the live database, absent in the migrations'],
        stamp: '`alembic stamp c41f0a9e2b7d`',
      },
      {},
      'error',
    )
    expect(driftExplaining('column "processing_started_at" of relation "pdfs" already exists', [other])).toHaveLength(1)
  })

  it('a name only inside a longer identifier is not named', () => {
    expect(driftExplaining('relation "ix_chats_title_2" already exists', [handIndex])).toEqual([])
  })

  it('parses the object, its relation and the direction of a difference', () => {
    expect(parseDifference('column pdfs.x: present in the live database, absent in the migrations')).toEqual({
      object: 'column pdfs.x',
      name: 'x',
      relation: 'pdfs',
      direction: 'extra',
    })
    expect(parseDifference('type pdf_status (enum): labels a, b in the live database, a in the migrations')).toEqual({
      object: 'type pdf_status (enum)',
      name: 'pdf_status',
      direction: 'differs',
    })
    expect(parseDifference('no difference here')).toBeNull()
  })
})

describe('pgDumpConnection', () => {
  it('the password goes to PGPASSWORD, the URL keeps the rest', () => {
    const c = pgDumpConnection('postgresql://app:s3cr%40t@db.internal:6432/prod?sslmode=require')
    expect(c.env.PGPASSWORD).toBe('s3cr@t')
    expect(c.dbname).toBe('postgresql://app@db.internal:6432/prod?sslmode=require')
    expect(c.env.PGAPPNAME).toBe('migration-gate read-only')
  })

  it('a password or passfile in the query goes to the environment too', () => {
    const c = pgDumpConnection(
      'postgresql://app@db/prod?password=hunter22&passfile=%2Fsecrets%2Fpgpass&sslmode=verify-full',
    )
    expect(c.env.PGPASSWORD).toBe('hunter22')
    expect(c.env.PGPASSFILE).toBe('/secrets/pgpass')
    expect(c.dbname).toBe('postgresql://app@db/prod?sslmode=verify-full')
  })
})

describe('reading a dump', () => {
  it('drops psql meta-commands (\\restrict of recent pg_dumps), keeps SQL', () => {
    const dump = '\\restrict abc123\nSET lock_timeout = 0;\nCREATE TABLE t (a int);\n\\unrestrict abc123\n'
    expect(withoutMetaCommands(dump)).toBe('SET lock_timeout = 0;\nCREATE TABLE t (a int);\n')
  })

  it('lists the extensions a dump creates', () => {
    const dump =
      'CREATE EXTENSION IF NOT EXISTS postgis WITH SCHEMA public;\nCREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;\n'
    expect(extensionsIn(dump)).toEqual(['postgis', 'uuid-ossp'])
  })

  it('names the version table exactly, wildcards and quotes inert', () => {
    expect(exactTablePattern('public.alembic_version')).toBe('"public"."alembic_version"')
    expect(exactTablePattern('ops.we*ird"name')).toBe('"ops"."we*ird""name"')
  })
})
