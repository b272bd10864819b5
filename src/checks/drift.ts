// model-drift: what the models declare against what the migrations build, after upgrading a scratch
// database to head. Catches drift whatever its age (the git rule catches only this PR's): the
// `column pdfs.processing_started_at does not exist` incident, before it reaches production.
import type { DriftItem } from '../drivers/driver.js'
import type { Finding } from '../report.js'
import { modelDrift } from '../findings/model-drift.js'

/** The command that writes the missing migration, per tool. */
const AUTOGENERATE: Record<string, string> = {
  alembic: 'alembic revision --autogenerate -m "..."',
  'flask-migrate': 'flask db migrate -m "..."',
}

export function driftFindings(items: DriftItem[], tool: string, newMigrationCommand?: string): Finding[] {
  const command = newMigrationCommand ?? AUTOGENERATE[tool]
  return items.map((item) =>
    modelDrift(item, command, { ...(item.file ? { file: item.file } : {}), ...(item.line ? { line: item.line } : {}) }),
  )
}
