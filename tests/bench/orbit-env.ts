// The environment a benchmark starts `orbit server` with: the one `npm run server` and the `orbit`
// command give it (JSC settings Bun reads at start-up; see runtime/cli/orbit.js).
export function orbitEnv(): Record<string, string | undefined> {
  return { ...process.env, BUN_JSC_useWarmUpMarkedBlocks: process.env['BUN_JSC_useWarmUpMarkedBlocks'] ?? '0' };
}
