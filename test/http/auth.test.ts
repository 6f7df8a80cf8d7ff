import { createHmac } from 'node:crypto';
import t from 'tap';
import { startTestService } from '../helpers/service.js';

const SECRET = 'a-jwt-secret-of-at-least-32-characters!';

function jwt(claims: Record<string, unknown>, secret = SECRET): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

t.test('tokens and JWTs guard the v1 routes by scope', async (t) => {
  const service = await startTestService(t, {
    API_TOKENS: 'camera:camera-token-0123456789:upload,reader:reader-token-0123456789:export',
    JWT_SECRET: SECRET,
    JWT_AUDIENCE: 'plate-archive',
  });
  const exportsWith = (token?: string) =>
    fetch(`${service.baseUrl}/v1/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ from: '2025-01-01', to: '2025-01-01' }),
    });
  const codeOf = async (response: Response) => ((await response.json()) as { code: string }).code;

  const anonymous = await exportsWith();
  t.equal(anonymous.status, 401);
  t.equal(await codeOf(anonymous), 'PA_ERR_UNAUTHORIZED');

  const wrongScope = await exportsWith('camera-token-0123456789');
  t.equal(wrongScope.status, 403);
  t.equal(await codeOf(wrongScope), 'PA_ERR_FORBIDDEN');

  t.equal((await exportsWith('reader-token-0123456789')).status, 200);
  const lowerCaseScheme = await fetch(`${service.baseUrl}/v1/exports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'bearer reader-token-0123456789' },
    body: JSON.stringify({ from: '2025-01-01', to: '2025-01-01' }),
  });
  t.equal(lowerCaseScheme.status, 200, 'the scheme name is case-insensitive');
  t.equal((await exportsWith('not-a-token')).status, 401);

  const now = Math.floor(Date.now() / 1000);
  t.equal((await exportsWith(jwt({ sub: 'app', scope: 'export', aud: 'plate-archive', exp: now + 60 }))).status, 200);
  t.equal((await exportsWith(jwt({ sub: 'app', scope: 'export', aud: 'plate-archive', exp: now - 1 }))).status, 401, 'expired');
  t.equal((await exportsWith(jwt({ sub: 'app', scope: 'export', aud: 'other' }))).status, 401, 'wrong audience');
  t.equal((await exportsWith(jwt({ sub: 'app', scope: 'export', aud: 'plate-archive' }, 'x'.repeat(40)))).status, 401, 'bad signature');
  t.equal((await exportsWith(jwt({ sub: 'app', scope: 'upload', aud: 'plate-archive' }))).status, 403);

  const uploadWith = (path: string, token: string) => {
    const form = new FormData();
    form.set('plate', 'AB123CD');
    form.set('file', new Blob([Buffer.from('not an image')]), 'photo.jpg');
    return fetch(`${service.baseUrl}${path}`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  };
  t.equal((await uploadWith('/v1/images', 'reader-token-0123456789')).status, 403, 'export scope cannot upload');
  t.equal((await uploadWith('/v1/%69mages', 'reader-token-0123456789')).status, 403, 'nor through a percent-encoded path');

  t.equal((await fetch(`${service.baseUrl}/healthz`)).status, 200, 'probes stay open');
  t.equal((await fetch(`${service.baseUrl}/openapi.json`)).status, 200, 'docs stay open');
});
