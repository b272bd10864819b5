// A stale-cluster sweep in its own process, so a test can run it as another OS user: sweeps the
// dir in argv[2] as a cluster start does, then prints one line, SWEPT {"removed": [...], "warnings": [...]}.
// A sweep that throws ends the process with the error (exit 1), as it would have ended a run.
import type { Logger } from '../../src/logger.js'
import { removeStaleClusters } from '../../src/postgres/cluster-dirs.js'

const warnings: string[] = []
const logger: Logger = { info: () => {}, debug: () => {}, warn: (m) => warnings.push(m) }
const removed = await removeStaleClusters(process.argv[2], logger)
process.stdout.write(`SWEPT ${JSON.stringify({ removed, warnings })}\n`)
