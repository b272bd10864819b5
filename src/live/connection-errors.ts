// What the live database (or the way to it) said, as the one line a user reads: busy, refused,
// missing, not allowed. Each is a GateError (exit 2) naming the input the URL came from; an error not
// listed here is passed on as it is (a query of the gate's own that fails is a bug in the gate).
import { GateError, oneLine } from '../errors.js'
import { LIVE_LIMITS } from './limits.js'

/** SQLSTATE classes and codes that are the database's or the network's doing, not the gate's. */
const SAID: Record<string, (where: string, text: string) => string> = {
  '55P03': (where, text) =>
    `the live database ${where} is busy: ${text} (lock_timeout ${LIVE_LIMITS.lockTimeoutMs} ms: another session holds a lock the gate's read waits for, a migration or a deploy in progress?); run the gate again once it is done`,
  '57014': (where, text) =>
    `the live database ${where} is busy: ${text} (statement_timeout ${LIVE_LIMITS.statementTimeoutMs / 1000} s); run the gate again when it is less loaded`,
  '53300': (where, text) => `the live database ${where} is busy: ${text}; run the gate again when connections are free`,
  '57P03': (where, text) => `the live database ${where} does not accept connections now: ${text}`,
  '3D000': (where, text) => `cannot read the live database ${where}: ${text}`,
  '28P01': (where, text) => `the live database ${where} refused the login: ${text}`,
  '28000': (where, text) => `the live database ${where} refused the login: ${text}`,
  '42501': (where, text) =>
    `the live database ${where} refused a read: ${text}; the role needs CONNECT, USAGE on the schema and SELECT on the version table (README: Release gate)`,
}

/** Node's own errors on the way to the server. */
const NETWORK: Record<string, (where: string) => string> = {
  ECONNREFUSED: (where) => `the live database ${where} refused the connection (nothing listens there?)`,
  ENOTFOUND: (where) => `the live database ${where}: its host name does not resolve`,
  EAI_AGAIN: (where) => `the live database ${where}: its host name does not resolve (yet?)`,
  ETIMEDOUT: (where) => `the live database ${where} did not answer (timed out)`,
  ECONNRESET: (where) => `the live database ${where} closed the connection`,
  EHOSTUNREACH: (where) => `the live database ${where} cannot be reached (no route to its host)`,
}

/** The error as a GateError naming `input`, or the error itself when it is none of the above. */
export function liveError(error: unknown, where: string, input: string): unknown {
  const e = error as { code?: string; message?: string } | undefined
  const text = oneLine(error)
  const sqlstate = e?.code ? SAID[e.code] : undefined
  if (sqlstate) return new GateError(`${input}: ${sqlstate(where, text)}`, input)
  const network = e?.code ? NETWORK[e.code] : undefined
  if (network) return new GateError(`${input}: ${network(where)}`, input)
  if (!e?.code) {
    // pg's own words for its client-side limits (connectionTimeoutMillis, query_timeout), and for a
    // server that went away mid-query.
    if (/connection timeout|Query read timeout/i.test(text)) {
      return new GateError(`${input}: the live database ${where} did not answer in time: ${text}`, input)
    }
    if (/Connection terminated/i.test(text)) {
      return new GateError(`${input}: the live database ${where} closed the connection: ${text}`, input)
    }
  }
  return error
}
