#!/usr/bin/env node
// Launches the operator CLI: the compiled build when `npm run build` has produced it, otherwise
// the TypeScript source through tsx. tsx is a devDependency, so a production install
// (npm ci --omit=dev) needs `npm run build` before this command works.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);

if (existsSync(fileURLToPath(compiled))) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
}
