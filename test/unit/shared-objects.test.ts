// Statements on a database object (its comment, its privileges, its settings) change the shared
// catalogs of the whole server, not the database the migration runs in: stairway slices side by side
// would trip over each other, and on a database-url server they reach the user's own database.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { findServerWideStatement } from '../../src/checks/shared-objects.js'
import type { RevisionGraph } from '../../src/drivers/driver.js'

function scan(file: string, text: string): ReturnType<typeof findServerWideStatement> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-shared-db-'))
  try {
    mkdirSync(join(dir, 'versions'))
    writeFileSync(join(dir, 'versions', file), text)
    const g: RevisionGraph = {
      nodes: [{ id: '1', parents: [], dependsOn: [], branchLabels: [], file: `versions/${file}`, line: 1 }],
      problems: [],
    }
    return findServerWideStatement(dir, g)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('statements on a database', () => {
  it.each([
    ['COMMENT ON DATABASE', 'v.sql', "COMMENT ON DATABASE reporting IS 'numbers';\n", 1, 'COMMENT ON DATABASE'],
    ['GRANT ... ON DATABASE', 'v.sql', 'GRANT CONNECT ON DATABASE reporting TO app;\n', 1, 'GRANT CONNECT ON DATABASE'],
    [
      'GRANT with several privileges over lines',
      'v.sql',
      'SELECT 1;\nGRANT CREATE,\n  TEMPORARY\n  ON DATABASE reporting TO app;\n',
      2,
      'GRANT CREATE, TEMPORARY ON DATABASE',
    ],
    ['REVOKE ... ON DATABASE', 'v.sql', 'REVOKE ALL ON DATABASE reporting FROM PUBLIC;\n', 1, 'REVOKE ALL ON DATABASE'],
    [
      'REVOKE GRANT OPTION FOR, in op.execute',
      'v.py',
      'def upgrade():\n    op.execute("revoke grant option for connect on database reporting from app")\n',
      2,
      'REVOKE GRANT OPTION FOR CONNECT ON DATABASE',
    ],
    [
      'ALTER DATABASE naming another database',
      'v.sql',
      'ALTER DATABASE reporting SET work_mem = 64;\n',
      1,
      'ALTER DATABASE',
    ],
    [
      'GRANT built in a DO block',
      'v.sql',
      "DO $$ BEGIN\n  EXECUTE 'GRANT CONNECT ON DATABASE ' || quote_ident('r') || ' TO app';\nEND $$;\n",
      2,
      'GRANT CONNECT ON DATABASE',
    ],
  ])('%s is server-wide', (_what, file, text, line, shown) => {
    expect(scan(file, text)).toEqual({ file: `versions/${file}`, line, text: shown })
  })

  it.each([
    ['GRANT on a table', 'v.sql', 'GRANT SELECT ON users TO app;\n'],
    ['REVOKE on a schema', 'v.sql', 'REVOKE CREATE ON SCHEMA public FROM PUBLIC;\n'],
    ['GRANT on all tables in a schema', 'v.sql', 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO app;\n'],
    ['COMMENT on a table named database_sizes', 'v.sql', "COMMENT ON TABLE database_sizes IS 'on database';\n"],
    ['COMMENT on a column named database', 'v.sql', "COMMENT ON COLUMN users.database IS 'x';\n"],
    [
      'a GRANT on a table, then a table named on_database in the next statement',
      'v.sql',
      'GRANT SELECT ON t TO app;\nCREATE TABLE x (on database_id int);\n',
    ],
    [
      'a GRANT on a table, then ON DATABASE in another string',
      'v.py',
      'def upgrade():\n    op.execute("GRANT SELECT ON t TO app")\n    log("done on database")\n',
    ],
    ['a comment saying so', 'v.sql', '-- GRANT CONNECT ON DATABASE reporting TO app\nSELECT 1;\n'],
  ])('%s is not', (_what, file, text) => {
    expect(scan(file, text)).toBeNull()
  })
})
