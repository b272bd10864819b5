// model-drift: what the models declare against what the migrations build, after upgrading a scratch
// database to head. Catches drift whatever its age (the git rule catches only this PR's): the
// `column pdfs.processing_started_at does not exist` incident, before it reaches production.
import type { DriftItem, ModelsWording } from '../drivers/driver.js'
import type { Finding } from '../report.js'
import { modelDrift } from '../findings/model-drift.js'

/** `models`: the driver's words, whose command writes the missing migration (per scope where it has one). */
export function driftFindings(items: DriftItem[], models?: ModelsWording): Finding[] {
  return items.map((item) =>
    modelDrift(item, commandFor(item, models), {
      ...(item.file ? { file: item.file } : {}),
      ...(item.line ? { line: item.line } : {}),
    }),
  )
}

/** The command that writes this difference's migration: the scope's own where the tool has one. */
function commandFor(item: DriftItem, models?: ModelsWording): string | undefined {
  if (item.scope !== undefined && models?.autogenerateIn) return models.autogenerateIn(item.scope)
  return models?.autogenerate
}
