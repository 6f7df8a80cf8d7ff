import type { EmulatorOperation } from './stats.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Counted in the stats and matched by fault rules; control routes have none. */
    emulatorOperation?: EmulatorOperation;
    /** Signed GET routes also put an error's message in the `X-Cld-Error` header. */
    emulatorCldErrorHeader?: boolean;
  }
}
