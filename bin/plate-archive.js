#!/usr/bin/env node
// Launches the operator CLI. Where tsx is installed (a development checkout) it runs the
// TypeScript source, which is never stale; a production install (npm ci --omit=dev) has no tsx
// and runs the build that `npm run build` left in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);

let register = null;
try {
  ({ register } = await import('tsx/esm/api'));
} catch {
  // No tsx: fall back to the compiled build below.
}

if (register) {
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
} else if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  console.error('plate-archive: run `npm run build` first; this install has neither tsx nor dist/');
  process.exit(2);
}
