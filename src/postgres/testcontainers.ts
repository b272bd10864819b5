// Loads testcontainers lazily (only the docker provider needs it). testcontainers is CommonJS: under
// Node it imports with named exports, but a bundled lazy chunk exposes module.exports as `default`.
type Testcontainers = typeof import('testcontainers')

export async function loadTestcontainers(): Promise<Testcontainers> {
  const mod = (await import('testcontainers')) as Testcontainers & { default?: Testcontainers }
  return typeof mod.GenericContainer === 'function' ? mod : (mod.default as Testcontainers)
}
