import { readFileSync } from 'node:fs';
import t from 'tap';
import { startTestService } from '../helpers/service.js';

t.test('OpenAPI document describes every route', async (t) => {
  const service = await startTestService(t);
  const response = await fetch(`${service.baseUrl}/openapi.json`);
  t.equal(response.status, 200);
  const document = (await response.json()) as {
    openapi: string;
    info: { version: string };
    paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: { content: Record<string, { schema: { properties: Record<string, { format?: string }> } }> } }>>;
  };
  const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

  t.equal(document.openapi, '3.1.0');
  t.equal(document.info.version, packageJson.version);
  const upload = document.paths['/v1/images']!.post!.requestBody!.content['multipart/form-data']!.schema;
  t.equal(upload.properties.file!.format, 'binary', 'the file part is documented as binary');
  t.strictSame(Object.keys(document.paths).sort(), ['/healthz', '/readyz', '/v1/exports', '/v1/exports/{id}', '/v1/exports/{id}/parts/{n}', '/v1/images']);
  t.strictSame(Object.keys(document.paths['/v1/images']!).sort(), ['get', 'post']);
  t.ok(document.paths['/v1/exports']!.post!.responses['400'], 'documents the 400 problem reply');
  t.ok(document.paths['/v1/exports']!.post!.responses['202'], 'documents the 202 reply');

  for (const [route, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      t.match(JSON.stringify(operation.responses), /"example"/, `${method.toUpperCase()} ${route} has an example reply`);
    }
  }

  const docs = await fetch(`${service.baseUrl}/docs`);
  t.equal(docs.status, 200);
  t.match(await docs.text(), /swagger/i);
});

t.test('health probes report the store and Cloudinary', async (t) => {
  const service = await startTestService(t);
  const live = await fetch(`${service.baseUrl}/healthz`);
  t.equal(live.status, 200);
  t.strictSame(await live.json(), { status: 'ok' });

  const ready = await fetch(`${service.baseUrl}/readyz`);
  t.equal(ready.status, 200);
  t.strictSame(await ready.json(), { status: 'ready', checks: { store: 'ok', cloudinary: 'ok' } });

  await service.runtime.emulator!.close();
  const unready = await fetch(`${service.baseUrl}/readyz`);
  const body = (await unready.json()) as { status: string; checks: Record<string, string> };
  t.equal(unready.status, 503);
  t.equal(body.status, 'unavailable');
  t.equal(body.checks.store, 'ok');
  t.match(body.checks.cloudinary, /^failed: /);
});

t.test('unknown route answers a 404 problem', async (t) => {
  const service = await startTestService(t);
  const response = await fetch(`${service.baseUrl}/v2/nothing`);
  t.equal(response.status, 404);
  t.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  t.equal(((await response.json()) as { code: string }).code, 'PA_ERR_NOT_FOUND');
  t.ok(response.headers.get('x-request-id'), 'sends a request id');
});
