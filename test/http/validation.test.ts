import t, { type Test } from 'tap';
import type { Problem } from '../../src/http/problems.js';
import { generatePng } from '../helpers/photos.js';
import { startTestService } from '../helpers/service.js';

async function expectProblem(t: Test, response: Response, status: number, field: string, code = 'PA_ERR_VALIDATION') {
  t.equal(response.status, status, `status ${status}`);
  t.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  const problem = (await response.json()) as Problem;
  t.equal(problem.status, status);
  t.equal(problem.code, code);
  t.ok(problem.title.length > 0, 'has a title');
  t.match(problem.type, /^https:\/\//);
  t.ok(problem.errors?.some((error) => error.field === field), `names the field ${field}: ${JSON.stringify(problem.errors)}`);
}

t.test('POST /v1/exports rejects every bad field with 400 naming it', async (t) => {
  const service = await startTestService(t);
  const cases: Array<[string, unknown, string]> = [
    ['missing from', { to: '2025-01-01' }, 'from'],
    ['missing to', { from: '2025-01-01' }, 'to'],
    ['from not a date', { from: 'yesterday', to: '2025-01-01' }, 'from'],
    ['to without offset', { from: '2025-01-01T00:00:00Z', to: '2025-01-01T10:00:00' }, 'to'],
    ['to before from', { from: '2025-01-05', to: '2025-01-01' }, 'to'],
    ['mixed kinds', { from: '2025-01-01', to: '2025-01-02T00:00:00Z' }, 'to'],
    ['unknown time zone', { from: '2025-01-01', to: '2025-01-02', timezone: 'Mars/Olympus' }, 'timezone'],
    ['impossible date', { from: '2025-02-30', to: '2025-03-02' }, 'from'],
    ['range too long', { from: '2024-01-01', to: '2024-12-31' }, 'to'],
    ['starts in the future', { from: '2099-01-01', to: '2099-01-02' }, 'from'],
    ['plate of dashes only', { from: '2025-01-01', to: '2025-01-01', plate: ' - - ' }, 'plate'],
    ['plate with symbols', { from: '2025-01-01', to: '2025-01-01', plate: 'AB$123' }, 'plate'],
    ['plate as an operator object', { from: '2025-01-01', to: '2025-01-01', plate: { $ne: '' } }, 'plate'],
    ['from as a number', { from: 20250101, to: '2025-01-01' }, 'from'],
    ['unknown field', { from: '2025-01-01', to: '2025-01-01', status: 'ready' }, 'status'],
  ];
  for (const [name, body, field] of cases) {
    await t.test(name, async (t) => expectProblem(t, await service.postExport(body), 400, field));
  }

  await t.test('malformed JSON', async (t) => {
    const response = await fetch(`${service.baseUrl}/v1/exports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":' });
    await expectProblem(t, response, 400, 'body');
  });
  await t.test('array body', async (t) => expectProblem(t, await service.postExport([]), 400, 'body'));

  await t.test('form-encoded body', async (t) => {
    const response = await fetch(`${service.baseUrl}/v1/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'from=2025-01-01&to=2025-01-01',
    });
    const problem = (await response.json()) as Problem;
    t.equal(response.status, 415);
    t.equal(problem.code, 'PA_ERR_UNSUPPORTED_MEDIA');
    t.equal(problem.title, 'Unsupported media type');
    t.match(problem.detail, /send JSON as application\/json/);
  });

  t.equal(await service.runtime.store.findLatestExport('x'), null);
});

t.test('GET /v1/exports/:id rejects bad ids and waits', async (t) => {
  const service = await startTestService(t);
  await expectProblem(t, await fetch(`${service.baseUrl}/v1/exports/..%2F..%2Fetc%2Fpasswd`), 400, 'id');
  await expectProblem(t, await fetch(`${service.baseUrl}/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA?wait=31`), 400, 'wait');
  await expectProblem(t, await fetch(`${service.baseUrl}/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA/parts/0`), 400, 'n');

  const missing = await fetch(`${service.baseUrl}/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA`);
  t.equal(missing.status, 404);
  t.equal(((await missing.json()) as Problem).code, 'PA_ERR_NOT_FOUND');
});

t.test('POST /v1/images rejects bad uploads and records nothing', async (t) => {
  const service = await startTestService(t);
  const png = generatePng(1);
  const post = (fields: Record<string, string | Blob>) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    return fetch(`${service.baseUrl}/v1/images`, { method: 'POST', body: form });
  };

  await expectProblem(t, await post({ plate: 'AB123CD' }), 400, 'file');
  await expectProblem(t, await post({ file: new Blob([png]) }), 400, 'plate');
  await expectProblem(t, await post({ file: new Blob([png]), plate: '---' }), 400, 'plate');
  await expectProblem(t, await post({ file: new Blob([png]), plate: 'AB1\r\nX-Evil: 1' }), 400, 'plate');
  await expectProblem(t, await post({ file: new Blob([png]), plate: 'AB1', capturedAt: 'last tuesday' }), 400, 'capturedAt');
  await expectProblem(t, await post({ file: new Blob([png]), plate: 'AB1', capturedAt: '2099-01-01T00:00:00Z' }), 400, 'capturedAt');
  await expectProblem(t, await post({ file: new Blob([png]), plate: 'AB1', owner: 'me' }), 400, 'owner');
  await expectProblem(t, await post({ file: new Blob([png]), plate: 'A'.repeat(300) }), 400, 'plate');
  await expectProblem(t, await post({ file: new Blob([Buffer.from('%PDF-1.7 not an image')], { type: 'image/jpeg' }), plate: 'AB1' }), 415, 'file', 'PA_ERR_UNSUPPORTED_MEDIA');

  const json = await fetch(`${service.baseUrl}/v1/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"plate":"AB1"}' });
  t.equal(json.status, 415);

  const listed = await service.runtime.store.listPhotos({ fromUtc: new Date(0), toUtc: new Date('2100-01-01') }, { limit: 10 });
  t.equal(listed.photos.length, 0, 'no photo was recorded');
  t.equal(service.runtime.emulator!.stats.count('upload'), 0, 'nothing reached Cloudinary');
});

t.test('GET /v1/images rejects bad queries', async (t) => {
  const service = await startTestService(t);
  const list = (query: string) => fetch(`${service.baseUrl}/v1/images?${query}`);
  await expectProblem(t, await list('to=2025-01-01'), 400, 'from');
  await expectProblem(t, await list('from=2025-01-01&to=2025-01-01&limit=501'), 400, 'limit');
  await expectProblem(t, await list('from=2025-01-01&to=2025-01-01&cursor=%7B%22%24gt%22%3A1%7D'), 400, 'cursor');
  await expectProblem(t, await list('from=2025-01-01&to=2025-01-01&plate[$ne]=x'), 400, 'plate[$ne]');
});
