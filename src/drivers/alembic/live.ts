// mode live for Alembic: the revisions the live database's version table holds (one row per applied
// branch head), where env.py configures that table, and the commands the live findings' fixes name.
import type { LiveReader, LiveState, LiveWording } from '../driver.js'
import { readVersionTable, tableName } from '../live-table.js'
import type { AlembicConfig } from './config.js'
import { alembicVersionTable } from './version-table.js'
import { alembicCommand } from './wording.js'

export async function readAlembicLiveState(config: AlembicConfig, reader: LiveReader): Promise<LiveState> {
  const where = alembicVersionTable(config)
  const read = await readVersionTable(reader, where, ['version_num'], 'version_num')
  return {
    table: read?.name ?? tableName(where),
    exists: read !== null,
    revisions: (read?.rows ?? []).map((r) => r.version_num).filter((v): v is string => Boolean(v)),
    applied: 'heads',
    notes: where.notes,
  }
}

export function alembicLiveWording(config: AlembicConfig): LiveWording {
  return {
    upgrade: alembicCommand(config, 'upgrade', config.flaskMigrate ? '' : 'head'),
    stamp: (revision) => `\`${alembicCommand(config, 'stamp', revision)}\``,
  }
}
