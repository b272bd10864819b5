// model-drift: what the models declare against what the migrations build, after upgrading a scratch
// database to head. Catches drift whatever its age (the git rule catches only this PR's): the
// `column pdfs.processing_started_at does not exist` incident, before it reaches production.
import type { DriftItem } from '../drivers/driver.js'
import type { Finding } from '../report.js'
import { modelDrift } from '../findings/model-drift.js'

/** `autogenerate`: the driver's command that writes the missing migration (ModelsWording), if it has one. */
export function driftFindings(items: DriftItem[], autogenerate?: string): Finding[] {
  return items.map((item) =>
    modelDrift(item, autogenerate, {
      ...(item.file ? { file: item.file } : {}),
      ...(item.line ? { line: item.line } : {}),
    }),
  )
}
