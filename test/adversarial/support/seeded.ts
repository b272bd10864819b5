// A seeded random (mulberry32): a failing kill moment or a generated input comes back with its seed.
// ADVERSARIAL_SEED replays a run; otherwise the seed is new each run and printed.

export function chooseSeed(): number {
  const given = process.env.ADVERSARIAL_SEED
  if (given !== undefined && given !== '') {
    const n = Number(given)
    if (!Number.isInteger(n) || n < 0) throw new Error(`ADVERSARIAL_SEED=${given} is not a non-negative integer`)
    return n
  }
  return Math.floor(Math.random() * 2 ** 31)
}

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
