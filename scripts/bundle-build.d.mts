/** Bundles `entryPoints` into `outdir` (which must exist), with the parser's .wasm where its loader looks. */
export function bundleTo(outdir: string, entryPoints: Record<string, string>): Promise<void>
