// Removes a container the gate started, by id: through testcontainers' runtime client (same engine
// discovery as the provider: DOCKER_HOST, the default socket, ~/.testcontainers.properties), else the
// docker CLI. The synchronous form is for process exit, where nothing can be awaited.
import { GateError, oneLine } from '../errors.js'
import { loadTestcontainers } from './testcontainers.js'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'

const run = promisify(execFile)

/**
 * Force-removes the container and its anonymous volumes. True when it was removed, false when it
 * was already gone; throws when it could not be removed.
 */
export async function removeContainer(id: string): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await loadTestcontainers()
    const client = await getContainerRuntimeClient()
    await client.container.dockerode.getContainer(id).remove({ force: true, v: true })
    return true
  } catch (error) {
    if (isNotFound(error)) return false
    // fall through to the CLI: another engine setup, or testcontainers missing
  }
  try {
    await run('docker', ['rm', '-f', '-v', id], { timeout: 30_000 })
    return true
  } catch (error) {
    const text = (error as { stderr?: string }).stderr ?? String(error)
    if (/no such container/i.test(text)) return false
    throw new GateError(`postgres: docker: docker rm -f ${id.slice(0, 12)} failed: ${oneLine(text)}`, 'postgres')
  }
}

/** Best effort, for the exit handler: `docker rm -f`, bounded in time. True when it is gone. */
export function removeContainerSync(id: string): boolean {
  try {
    execFileSync('docker', ['rm', '-f', '-v', id], { timeout: 10_000, stdio: 'pipe' })
    return true
  } catch (error) {
    // No CLI or no engine: the ledger (action post step) or testcontainers' reaper removes it.
    return /no such container/i.test(String((error as { stderr?: Buffer }).stderr ?? ''))
  }
}

/**
 * Removes every container carrying `label` (key=value): for a container whose id is not known yet (a
 * signal while the engine creates it). Best effort; the count removed.
 */
export async function removeContainersLabelled(label: string): Promise<number> {
  let ids: string[] = []
  try {
    const { getContainerRuntimeClient } = await loadTestcontainers()
    const client = await getContainerRuntimeClient()
    const found = await client.container.dockerode.listContainers({ all: true, filters: { label: [label] } })
    ids = found.map((c) => c.Id)
  } catch {
    ids = labelledByCli(label)
  }
  let removed = 0
  for (const id of ids) if (await removeContainer(id).catch(() => false)) removed++
  return removed
}

/** The synchronous form, for the exit handler. */
export function removeContainersLabelledSync(label: string): void {
  for (const id of labelledByCli(label)) removeContainerSync(id)
}

function labelledByCli(label: string): string[] {
  try {
    const out = execFileSync('docker', ['ps', '-aq', '--filter', `label=${label}`], { timeout: 10_000, stdio: 'pipe' })
    return out.toString().split(/\s+/).filter(Boolean)
  } catch {
    return []
  }
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number }).statusCode === 404
}
