// Action glue only: inputs -> runGate -> renderers -> outputs / setFailed. The same entry serves the
// `post:` step, which removes whatever the main step recorded and could not remove itself.
import * as core from '@actions/core'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { oneLine } from './errors.js'
import { runGate } from './gate.js'
import { readConfig } from './inputs.js'
import type { Logger } from './logger.js'
import { runAll } from './postgres/cleanup.js'
import { cleanupLedger } from './postgres/ledger-cleanup.js'
import { useLedger } from './postgres/ledger.js'
import { renderAnnotations } from './render/annotations.js'
import { renderJson } from './render/json.js'
import { renderSummary } from './render/summary.js'
import { renderTerminal } from './render/terminal.js'

const logger: Logger = { info: core.info, warn: core.warning, debug: core.debug }

async function post(): Promise<void> {
  const ledger = core.getState('ledger')
  if (!ledger) return
  const result = await cleanupLedger(ledger, { databaseUrl: core.getInput('database-url') || undefined })
  for (const line of result.removed) core.info(`removed ${line}`)
  for (const line of result.problems) core.warning(`could not remove ${line}`)
}

async function run(): Promise<void> {
  core.saveState('isPost', 'true')
  const ledger = join(process.env.RUNNER_TEMP || tmpdir(), `migration-gate-ledger-${process.pid}.json`)
  core.saveState('ledger', ledger)
  useLedger(ledger)

  const config = readConfig((name) => core.getInput(name))
  const reportPath = config.reportJson ?? join(process.env.RUNNER_TEMP || tmpdir(), 'migration-gate-report.json')
  const report = await runGate(config, { logger })

  writeFileSync(reportPath, renderJson(report))
  core.info(renderTerminal(report, { colour: false }))
  for (const a of renderAnnotations(report)) {
    const props = { title: a.title, ...(a.file ? { file: a.file } : {}), ...(a.line ? { startLine: a.line } : {}) }
    if (a.severity === 'error') core.error(a.message, props)
    else if (a.severity === 'warning') core.warning(a.message, props)
    else core.notice(a.message, props)
  }
  await core.summary.addRaw(renderSummary(report)).write()
  core.setOutput('result', report.result)
  core.setOutput('heads', (report.chain?.heads ?? []).join(' '))
  core.setOutput('findings', String(report.findings.length))
  core.setOutput('report-path', reportPath)
  if (report.result === 'fail') {
    const errors = report.findings.filter((f) => f.severity === 'error').length
    core.setFailed(`migration-gate: ${errors} error finding${errors === 1 ? '' : 's'}`)
  }
}

const isPost = core.getState('isPost') === 'true'
;(isPost ? post() : run()).catch(async (error: unknown) => {
  await runAll()
  // A post step warns and never fails the job; the main step fails with the one-line message.
  if (isPost) core.warning(`migration-gate cleanup: ${oneLine(error)}`)
  else core.setFailed(`migration-gate: ${oneLine(error)}`)
})
