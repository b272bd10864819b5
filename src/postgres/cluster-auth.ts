// Who may connect to a throwaway cluster: only the gate. With trust auth on 127.0.0.1 any local OS
// user could connect as superuser while a run went on, and COPY ... TO PROGRAM runs commands as the
// server's OS user. So every connection, TCP and socket alike, needs a random password made for the
// run. The gate's clients (node pg, psycopg2 via SQLAlchemy, an env.py rebuilding the URL from
// parts) all take it from the URL the gate hands out; it never appears in a command line.
import { randomBytes } from 'node:crypto'
import { chownSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { RunAs } from './privileges.js'

/** 192 random bits as hex: no character a URL, a libpq keyword string or configparser would need escaped. */
export function newRunPassword(): string {
  return randomBytes(24).toString('hex')
}

/**
 * Writes the password for initdb's --pwfile into `dir` (the cluster's private 0700 dir) and returns
 * the file and a function that removes it, to be called as soon as initdb has read it.
 */
export function writePasswordFile(dir: string, password: string, runAs: RunAs | null): [string, () => void] {
  const file = join(dir, 'initdb-password')
  writeFileSync(file, `${password}\n`, { mode: 0o600 })
  if (runAs) chownSync(file, runAs.uid, runAs.gid) // initdb runs as the server's user and reads it
  return [file, () => rmSync(file, { force: true })]
}

/**
 * initdb's authentication arguments. The gate reaches its server over TCP only. The socket sits in
 * a private dir (0700, owned by the server's user), so only that user and root could reach it, and
 * both can read the data dir anyway; it asks for the password all the same, so no connection at all
 * goes without it and nothing rests on directory permissions alone. scram-sha-256 exists from
 * PostgreSQL 10; older servers get md5.
 */
export function initdbAuthArgs(passwordFile: string, major: number): string[] {
  const method = major >= 10 ? 'scram-sha-256' : 'md5'
  return [`--pwfile=${passwordFile}`, `--auth-host=${method}`, `--auth-local=${method}`]
}
