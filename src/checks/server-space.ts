// A step that fails because the gate's own cluster ran out of room failed for the gate's reasons, not
// the migration's: no finding is made of it. The run stops with an error that says where the data was
// and how to put it elsewhere (cluster-root.ts chooses the place).
import { dirname } from 'node:path'
import type { StepResult } from '../drivers/driver.js'
import { GateError } from '../errors.js'
import type { Server } from '../postgres/provider.js'

const NO_SPACE = /no space left on device/i

/** Throws when `result` failed for want of space on a cluster the gate runs itself. */
export function checkServerSpace(server: Server, step: string, result: StepResult): void {
  if (result.ok || !server.dataDir || !NO_SPACE.test(result.error?.message ?? '')) return
  const root = dirname(server.dataDir.path)
  const where = server.dataDir.inMemory ? `${root}, a RAM disk,` : root
  throw new GateError(
    `postgres: the gate's scratch server ran out of space in ${where} during the ${step}; ` +
      `set TMPDIR to a directory on a disk with room (the gate then keeps its cluster there)`,
    'postgres',
  )
}
