// PostgreSQL refuses to run as root. When the gate runs as root (containers, some CI images), the
// server runs as an unprivileged user; on GitHub's runners the user is not root and nothing changes.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { GateError } from '../errors.js'

export interface RunAs {
  uid: number
  gid: number
  user: string
}

/** Null when no switch is needed; else the user to run the server as. */
export function serverUser(): RunAs | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null
  for (const user of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim())
      if (Number.isInteger(uid) && uid > 0) return { uid, gid, user }
    } catch {
      // user does not exist; try the next
    }
  }
  throw new GateError(
    'postgres: running as root and no unprivileged user (postgres or nobody) exists to run PostgreSQL',
    'postgres',
  )
}

/** Command and args that run `file args` as `runAs` (setpriv execs, so the pid is the program's). */
export function wrapCommand(file: string, args: string[], runAs: RunAs | null): [string, string[]] {
  if (!runAs) return [file, args]
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find(existsSync)
  if (setpriv) return [setpriv, [`--reuid=${runAs.uid}`, `--regid=${runAs.gid}`, '--clear-groups', file, ...args]]
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find(existsSync)
  if (runuser) return [runuser, ['-u', runAs.user, '--', file, ...args]]
  throw new GateError(
    'postgres: running as root and neither setpriv nor runuser is available to drop privileges',
    'postgres',
  )
}
