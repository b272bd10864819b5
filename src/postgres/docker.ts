// `docker`: a PostgreSQL container through testcontainers, with the image the user picks (match
// production's major). Tuned like the local cluster; data on tmpfs. testcontainers is imported only
// when this provider is used, so the CLI starts fast and works without it.
import { loadTestcontainers } from './testcontainers.js'
import { GateError, oneLine } from '../errors.js'
import {
  removeContainer,
  removeContainerSync,
  removeContainersLabelled,
  removeContainersLabelledSync,
} from './containers.js'
import { GateDatabases, majorOf, serverVersion } from './databases.js'
import { newRunPassword } from './cluster-auth.js'
import { PREFIX } from './names.js'
import type { PostgresProvider, ProviderOptions, Server } from './provider.js'
import { DEFAULT_POSTGRES_IMAGE, defaultPostgresImage } from './default-image.js'

/** A label with a value made for each start: finds the container before its id is known. */
const START_LABEL = 'org.migration-gate.start'

export { DEFAULT_POSTGRES_IMAGE }

async function runtimeReason(): Promise<string | null> {
  try {
    const tc = await loadTestcontainers()
    await tc.getContainerRuntimeClient()
    return null
  } catch (error) {
    return `no Docker engine answers (${oneLine(error).slice(0, 160)})`
  }
}

export function dockerProvider(options: ProviderOptions): PostgresProvider {
  const { resources } = options
  const image = options.image || defaultPostgresImage(options.version ?? 'any')
  return {
    name: 'docker',
    unavailableReason: runtimeReason,
    async start(): Promise<Server> {
      const t0 = performance.now()
      const reason = await runtimeReason()
      if (reason) throw new GateError(`postgres: docker: ${reason}`, 'postgres')
      const { GenericContainer, Wait } = await loadTestcontainers()

      // Cleanup is registered the moment the container exists, not when it is ready: a signal or a
      // failed wait during start-up (a slow pull, a crashing image) must not leave it running.
      let id: string | undefined
      let removed = false
      const remove = async () => {
        if (removed || !id) return
        removed = true
        await removeContainer(id)
        resources.forget({ kind: 'container', id })
      }
      // Until the engine answers the create call the id is unknown, but the container may already exist
      // (a signal in that window killed the process and left it running): this start's own label finds it.
      const startLabel = `${START_LABEL}=${newRunPassword().slice(0, 16)}`
      let unregister = resources.track(
        'container being created',
        async () => void (await removeContainersLabelled(startLabel)),
        () => removeContainersLabelledSync(startLabel),
      )
      class GateContainer extends GenericContainer {
        protected override async containerCreated(containerId: string): Promise<void> {
          id = containerId
          resources.record({ kind: 'container', id })
          unregister()
          unregister = resources.track(`container ${id.slice(0, 12)}`, remove, () => {
            if (removeContainerSync(containerId)) resources.forget({ kind: 'container', id: containerId })
          })
        }
      }

      // A password made for this run: the container's port is published on the host, where a fixed
      // password (it would be in this public source) let anyone who reaches the port in as superuser.
      const password = newRunPassword()
      let container
      try {
        container = await new GateContainer(image)
          .withEnvironment({ POSTGRES_USER: 'postgres', POSTGRES_PASSWORD: password, POSTGRES_DB: 'postgres' })
          .withExposedPorts(5432)
          .withLabels({ 'org.migration-gate': PREFIX, [START_LABEL]: startLabel.split('=')[1] as string })
          // Data on tmpfs: postgres 18+ images keep PGDATA under /var/lib/postgresql (their VOLUME);
          // up to 17 PGDATA is the VOLUME /var/lib/postgresql/data, which needs its own mount or
          // docker puts an anonymous volume (on disk, left behind unless removed) over it.
          .withTmpFs({ '/var/lib/postgresql': 'rw', '/var/lib/postgresql/data': 'rw' })
          .withCommand([
            'postgres',
            ...['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'autovacuum=off', 'jit=off'].flatMap(
              (s) => ['-c', s],
            ),
          ])
          // The official image starts a temporary server for init scripts first: wait for the second "ready".
          .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
          .withStartupTimeout(120_000)
          .start()
      } catch (error) {
        unregister()
        await remove().catch(() => {})
        throw new GateError(`postgres-image: cannot start ${image}: ${oneLine(error).slice(0, 300)}`, 'postgres-image')
      }
      const adminUrl = `postgresql://postgres:${password}@${container.getHost()}:${container.getMappedPort(5432)}/postgres`
      try {
        // The log line says the server listens; a real query proves the mapped port serves.
        const version = await retry(() => serverVersion(adminUrl), 10_000)
        const dbs = new GateDatabases(adminUrl, majorOf(version) >= 15, true)
        return {
          provider: 'docker',
          serverVersion: version,
          startMs: Math.round(performance.now() - t0),
          createDatabase: (o) => dbs.create(o),
          dropDatabase: (n) => dbs.drop(n),
          urlFor: (n) => dbs.urlFor(n),
          adminUrlFor: (n) => dbs.urlFor(n),
          async stop() {
            unregister()
            await remove()
          },
        }
      } catch (error) {
        unregister()
        await remove().catch(() => {})
        throw error
      }
    },
  }
}

async function retry<T>(fn: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return await fn()
    } catch (error) {
      if (Date.now() > deadline) throw error
      await new Promise((r) => setTimeout(r, 50))
    }
  }
}
