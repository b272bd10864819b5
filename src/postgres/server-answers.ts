// Whether a cluster's server still answers, asked the way a client would: its socket, then its TCP
// port, both from the postmaster.pid it wrote. Any answer counts, the connection alone is one: the
// question is whether something serves there, not whether we may log in. Used by the stale-cluster
// sweep for clusters whose gate it cannot see (another PID namespace sharing the temp dir), whose
// server runs where no pid of ours can say.
import { existsSync, readFileSync } from 'node:fs'
import { connect, type NetConnectOpts } from 'node:net'
import { join } from 'node:path'

const CONNECT_TIMEOUT_MS = 2_000

/** Port, socket dir and listen address from data/postmaster.pid (lines 4, 5 and 6); null without one. */
export function serverAddress(dir: string): { port: number; socketDir: string; host: string } | null {
  const file = join(dir, 'data', 'postmaster.pid')
  if (!existsSync(file)) return null
  const lines = readFileSync(file, 'utf8').split('\n')
  const port = Number(lines[3])
  if (!Number.isInteger(port) || port <= 0) return null
  const host = (lines[5] ?? '').trim()
  return { port, socketDir: (lines[4] ?? '').trim(), host: host && host !== '*' ? host : '127.0.0.1' }
}

/**
 * True when a server answers at the address `dir`'s postmaster.pid gives. The socket comes first:
 * it is a file in the shared temp dir, so it reaches a server in another network namespace too,
 * where 127.0.0.1 is not the same loopback. A socket we may not open (another user's private dir)
 * counts as an answer: a cluster someone else runs is not ours to remove.
 */
export async function serverAnswers(dir: string): Promise<boolean> {
  const address = serverAddress(dir)
  if (!address) return false
  if (address.socketDir) {
    const path = join(address.socketDir, `.s.PGSQL.${address.port}`)
    const result = await tryConnect({ path })
    if (result === 'answered' || result === 'forbidden') return true
  }
  return (await tryConnect({ host: address.host, port: address.port })) === 'answered'
}

function tryConnect(options: NetConnectOpts): Promise<'answered' | 'forbidden' | 'silent'> {
  return new Promise((resolve) => {
    const socket = connect(options)
    const done = (result: 'answered' | 'forbidden' | 'silent') => {
      socket.destroy()
      resolve(result)
    }
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => done('silent'))
    socket.once('connect', () => done('answered'))
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'EACCES' || error.code === 'EPERM' ? 'forbidden' : 'silent'),
    )
  })
}
