// A SCRAM-SHA-256 verifier (RFC 5802/7677, as PostgreSQL stores it) computed here, so CREATE ROLE
// never carries the password itself: not in the server's statement log, not in pg_stat_activity.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto'

const ITERATIONS = 4096

/** `password` must be plain ASCII (SASLprep leaves it as it is). */
export function scramVerifier(password: string): string {
  const salt = randomBytes(16)
  const salted = pbkdf2Sync(password, salt, ITERATIONS, 32, 'sha256')
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest()
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest()
  const serverKey = hmac(salted, 'Server Key')
  const b64 = (b: Buffer) => b.toString('base64')
  return `SCRAM-SHA-256$${ITERATIONS}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`
}
