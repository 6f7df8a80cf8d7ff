import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiScope, Config } from '../config.js';
import { AppError } from '../errors.js';

interface Caller {
  name: string;
  scopes: ApiScope[];
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Returns the scope a route needs: uploads need `upload`, reading photos and exports need `export`. */
function requiredScope(request: FastifyRequest): ApiScope | null {
  // The matched route's pattern, not the raw URL: the router decodes percent-escapes, so
  // `/v1/%69mages` reaches the upload route while its raw path does not equal `/v1/images`.
  const path = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  if (!path.startsWith('/v1/')) return null;
  if (path === '/v1/images' && request.method === 'POST') return 'upload';
  return 'export';
}

// TODO(auth): JWT_JWKS_URL is validated but unused. RS256 tokens need keys fetched from the
// JWKS endpoint and cached with rotation, which is not built, so such tokens are rejected.
/**
 * Verifies an HS256 JWT with JWT_SECRET and reads its scopes from `scope` (space separated)
 * or `scopes` (array). Returns null for anything that is not a valid, current token.
 */
function verifyJwt(token: string, config: Config, nowSeconds: number): Caller | null {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature || !config.JWT_SECRET) return null;

  const expected = createHmac('sha256', config.JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  if (!safeEqual(expected, signature)) return null;

  let claims: Record<string, unknown>;
  try {
    const alg = (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { alg?: unknown }).alg;
    if (alg !== 'HS256') return null;
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }

  if (typeof claims.exp === 'number' && claims.exp <= nowSeconds) return null;
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) return null;
  if (config.JWT_ISSUER && claims.iss !== config.JWT_ISSUER) return null;
  if (config.JWT_AUDIENCE) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(config.JWT_AUDIENCE)) return null;
  }

  const rawScopes = typeof claims.scope === 'string' ? claims.scope.split(' ') : Array.isArray(claims.scopes) ? claims.scopes : [];
  const scopes = rawScopes.filter((scope): scope is ApiScope => scope === 'upload' || scope === 'export' || scope === 'admin');
  return { name: typeof claims.sub === 'string' ? claims.sub : 'jwt', scopes };
}

/**
 * Requires a bearer credential on /v1 routes when API_TOKENS or JWT_SECRET is set. Without
 * either, the API is open: the default for a service listening on 127.0.0.1 only.
 */
export function registerAuth(app: FastifyInstance, config: Config): void {
  const tokens = config.API_TOKENS;
  if (tokens.length === 0 && !config.JWT_SECRET) {
    if (config.HOST !== '127.0.0.1' && config.HOST !== 'localhost' && config.HOST !== '::1') {
      app.log.warn({ host: config.HOST }, 'API is open: set API_TOKENS or JWT_SECRET before exposing it');
    }
    return;
  }

  app.addHook('onRequest', async (request) => {
    const scope = requiredScope(request);
    if (!scope) return;

    const header = request.headers.authorization ?? '';
    // The scheme name is case-insensitive (RFC 9110, section 11.1).
    const match = /^bearer\s+(\S+)\s*$/i.exec(header);
    const token = match?.[1] ?? '';
    if (!token) throw new AppError('PA_ERR_UNAUTHORIZED', 'Send an API token or JWT as Authorization: Bearer <token>');

    const fromList = tokens.find((entry) => safeEqual(entry.token, token));
    const caller: Caller | null = fromList ? { name: fromList.name, scopes: fromList.scopes } : verifyJwt(token, config, Math.floor(Date.now() / 1000));
    if (!caller) throw new AppError('PA_ERR_UNAUTHORIZED', 'The bearer token is unknown, expired or badly signed');

    const allowed = caller.scopes.includes(scope) || caller.scopes.includes('admin');
    if (!allowed) throw new AppError('PA_ERR_FORBIDDEN', `Token '${caller.name}' lacks the ${scope} scope this route needs`);
    request.log.debug({ caller: caller.name }, 'caller authenticated');
  });
}
