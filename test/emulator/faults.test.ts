import t from 'tap';
import { loadSdk, rejectionOf, sdkOptions, startTestEmulator, uploadBytes } from './support/emulator.js';
import { makePng } from './support/images.js';

t.test('503 twice then success', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  emulator.faults.add({ operation: 'upload', status: 503, times: 2 });

  for (const attempt of [1, 2]) {
    const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'retry/me' }));
    t.equal(error.http_code, 503, `attempt ${attempt} status`);
    t.equal(error.message, 'Server returned unexpected status code - 503', `attempt ${attempt} message`);
    t.equal(error.name, 'UnexpectedResponse');
  }

  const result = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'retry/me' });
  t.equal(result.public_id, 'retry/me');
  t.equal(emulator.stats.count('upload'), 3, 'failed attempts are counted too');
  t.equal(emulator.listAssets('image').length, 1);
});

t.test('500 keeps the JSON message', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  emulator.faults.add({ operation: 'admin.resources', status: 500 });

  const error = await rejectionOf(sdk.api.resources(sdkOptions(emulator)));
  t.match(error, { error: { http_code: 500, message: 'Injected fault: HTTP 500 for admin.resources' } });
});

t.test('420 with rate-limit headers', async (t) => {
  const emulator = await startTestEmulator(t, { now: () => Date.parse('2025-01-01T12:10:00Z') });
  const sdk = await loadSdk();
  emulator.faults.add({ operation: 'admin.resources', status: 420, headers: { 'Retry-After': '30' } });

  const auth = `Basic ${Buffer.from(`${emulator.credentials.apiKey}:${emulator.credentials.apiSecret}`).toString('base64')}`;
  const response = await fetch(`${emulator.url}/v1_1/plate-demo/resources/image`, { headers: { authorization: auth } });
  t.equal(response.status, 420);
  t.equal(response.headers.get('retry-after'), '30');
  t.equal(response.headers.get('x-featureratelimit-limit'), '500');
  t.equal(response.headers.get('x-featureratelimit-remaining'), '0');
  t.equal(response.headers.get('x-featureratelimit-reset'), 'Wed, 01 Jan 2025 13:00:00 GMT');
  t.same(await response.json(), {
    error: { message: 'Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC' },
  });

  emulator.faults.add({ operation: 'upload', status: 420 });
  const upload = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2)));
  t.equal(upload.http_code, 420);
  t.match(upload.message, /^Rate Limit Exceeded/);
});

t.test('delay stalls the reply', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  emulator.faults.add({ operation: 'upload', delayMs: 400 });

  const started = Date.now();
  const result = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'slow/one' });
  t.ok(Date.now() - started >= 390, 'reply came after the delay');
  t.equal(result.public_id, 'slow/one');

  emulator.faults.add({ operation: 'upload', delayMs: 800 });
  // upload_stream's callback gets the error itself, not the `{error}` wrapper a promise rejects with.
  const timedOut = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2), { timeout: 200 }));
  t.match(timedOut, { http_code: 499, name: 'TimeoutError', message: 'Request Timeout' });
});

t.test('dropConnection', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  emulator.faults.add({ operation: 'upload', dropConnection: true });

  const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2)));
  t.ok(error instanceof Error, 'upload_stream reports the network error itself');
  t.equal(error.code, 'ECONNRESET');

  const next = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'after/drop' });
  t.equal(next.public_id, 'after/drop', 'the rule applied once');
});

t.test('nonJson body', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  emulator.faults.add({ operation: 'upload', nonJson: true, status: 400 });

  const error = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2)));
  t.equal(error.http_code, 400);
  t.match(error.message, /^Server return invalid JSON response\. Status Code 400/);
});

t.test('overArchiveLimit', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'p/one' });
  emulator.faults.add({ operation: 'generate_archive.create', overArchiveLimit: true });

  const error = await rejectionOf(sdk.uploader.create_zip(sdkOptions(emulator, { public_ids: ['p/one'] })));
  t.equal(error.http_code, 400);
  t.match(error.message, /^Archive size too large\. Got 104857601\. Maximum is 104857600\.$/);

  const next = (await sdk.uploader.create_zip(sdkOptions(emulator, { public_ids: ['p/one'] }))) as unknown as Record<string, unknown>;
  t.equal(next.resource_count, 1);
});

t.test('wildcard rule and clear', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  emulator.faults.add({ operation: '*', status: 500, times: 5 });
  emulator.faults.clear();

  const result = await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: 'clear/one' });
  t.equal(result.public_id, 'clear/one');
  t.throws(() => emulator.faults.add({ operation: 'upload' }), 'a rule without an effect is invalid');
});

t.test('control routes over HTTP', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();

  const added = await fetch(`${emulator.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'upload', status: 502 }),
  });
  t.equal(added.status, 200);
  const failed = await rejectionOf(uploadBytes(sdk, emulator, makePng(2, 2)));
  t.equal(failed.http_code, 502);

  const invalid = await fetch(`${emulator.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'upload', status: 418 }),
  });
  t.equal(invalid.status, 400);
  t.match(await invalid.json(), { error: { message: /^Invalid fault rule/ } });

  await fetch(`${emulator.url}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ operation: 'upload', status: 500 }),
  });
  t.equal((await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' })).status, 200);
  await uploadBytes(sdk, emulator, Buffer.from('raw file'), { public_id: 'notes.txt', resource_type: 'raw' });

  const stats = (await (await fetch(`${emulator.url}/__emulator/stats`)).json()) as Record<string, number>;
  t.equal(stats.upload, 2);
  t.equal(stats['delivery.image'], 0);

  const assets = (await (await fetch(`${emulator.url}/__emulator/assets?resource_type=raw`)).json()) as { publicId: string }[];
  t.same(assets.map((asset) => asset.publicId), ['notes.txt']);

  t.equal((await fetch(`${emulator.url}/__emulator/stats/reset`, { method: 'POST' })).status, 200);
  t.equal(emulator.stats.count('upload'), 0);
});
