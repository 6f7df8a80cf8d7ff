import { loadDotEnv } from '../config.js';
import { runCli } from './commands.js';

/** How long the process may take to exit on its own after a command before it is ended. */
const EXIT_GRACE_MS = 2000;

function waitForStop(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}

loadDotEnv();
const status = await runCli(process.argv.slice(2), {
  env: process.env,
  output: {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  },
  waitForStop,
});

process.exitCode = status;
// A client socket still open after the runtime closed must not keep the command alive.
setTimeout(() => process.exit(status), EXIT_GRACE_MS).unref();
