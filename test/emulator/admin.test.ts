import t from 'tap';
import { loadSdk, rejectionOf, sdkOptions, startTestEmulator, uploadBytes } from './support/emulator.js';
import { makePng } from './support/images.js';

type AdminList = { resources: Record<string, unknown>[]; next_cursor?: string; rate_limit_remaining?: number };

t.test('list with prefix and pagination', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  for (let i = 0; i < 5; i += 1) {
    await uploadBytes(sdk, emulator, makePng(2, 2, i), { public_id: `vehicles/2025-01-01/p${i}`, tags: ['day-2025-01-01'] });
  }
  await uploadBytes(sdk, emulator, makePng(2, 2, 9), { public_id: 'vehicles/2025-01-02/other' });

  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = (await sdk.api.resources(
      sdkOptions(emulator, { prefix: 'vehicles/2025-01-01/', max_results: 2, next_cursor: cursor, tags: true }),
    )) as unknown as AdminList;
    pages += 1;
    for (const item of page.resources) seen.push(String(item.public_id));
    t.ok(page.resources.every((item) => Array.isArray(item.tags)), 'tags included on request');
    cursor = page.next_cursor;
  } while (cursor);

  t.equal(pages, 3);
  t.same(seen, ['vehicles/2025-01-01/p4', 'vehicles/2025-01-01/p3', 'vehicles/2025-01-01/p2', 'vehicles/2025-01-01/p1', 'vehicles/2025-01-01/p0']);

  const all = (await sdk.api.resources(sdkOptions(emulator, { type: 'upload' }))) as unknown as AdminList;
  t.equal(all.resources.length, 6);
  t.equal(all.resources[0]?.tags, undefined, 'tags only when asked');

  const tooMany = await rejectionOf(sdk.api.resources(sdkOptions(emulator, { max_results: 501 })));
  t.match(tooMany, { error: { http_code: 400 } });
});

t.test('resources_by_tag and resource', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  await uploadBytes(sdk, emulator, makePng(2, 2, 1), { public_id: 'vehicles/a', tags: ['plate-A'], context: { plate: 'A' } });
  await uploadBytes(sdk, emulator, makePng(2, 2, 2), { public_id: 'vehicles/b', tags: ['plate-B'] });

  const byTag = (await sdk.api.resources_by_tag('plate-A', sdkOptions(emulator))) as unknown as AdminList;
  t.same(byTag.resources.map((item) => item.public_id), ['vehicles/a']);

  const detail = (await sdk.api.resource('vehicles/a', sdkOptions(emulator))) as unknown as Record<string, unknown>;
  t.equal(detail.public_id, 'vehicles/a');
  t.same(detail.tags, ['plate-A']);
  t.same(detail.context, { custom: { plate: 'A' } });
  t.equal(detail.rate_limit_allowed, 500);

  const missing = await rejectionOf(sdk.api.resource('vehicles/none', sdkOptions(emulator)));
  t.match(missing, { error: { http_code: 404, message: 'Resource not found - vehicles/none' } });

  const auth = `Basic ${Buffer.from(`${emulator.credentials.apiKey}:${emulator.credentials.apiSecret}`).toString('base64')}`;
  const raw = await fetch(`${emulator.url}/v1_1/plate-demo/resources/image/upload/vehicles%2Fnone`, { headers: { authorization: auth } });
  t.equal(raw.status, 404);
  t.equal(raw.headers.get('x-featureratelimit-limit'), '500', 'error replies carry the rate-limit headers');
});

t.test('delete by ids prefix and tag', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  for (const id of ['old/a', 'old/b', 'keep/c', 'tagged/d']) {
    await uploadBytes(sdk, emulator, makePng(2, 2), { public_id: id, tags: id.startsWith('tagged') ? ['sweep'] : [] });
  }
  await uploadBytes(sdk, emulator, Buffer.from('zip bytes'), { public_id: 'exports/x.zip', resource_type: 'raw' });

  const byIds = (await sdk.api.delete_resources(['old/a', 'old/zzz'], sdkOptions(emulator))) as unknown as Record<string, unknown>;
  t.same(byIds.deleted, { 'old/a': 'deleted', 'old/zzz': 'not_found' });
  t.same(byIds.deleted_counts, { 'old/a': { original: 1, derived: 0 } });
  t.equal(byIds.partial, false);

  const wrongType = (await sdk.api.delete_resources(['exports/x.zip'], sdkOptions(emulator))) as unknown as Record<string, unknown>;
  t.same(wrongType.deleted, { 'exports/x.zip': 'not_found' }, 'raw asset needs resource_type raw');
  const raw = (await sdk.api.delete_resources(['exports/x.zip'], sdkOptions(emulator, { resource_type: 'raw' }))) as unknown as Record<string, unknown>;
  t.same(raw.deleted, { 'exports/x.zip': 'deleted' });

  const byPrefix = (await sdk.api.delete_resources_by_prefix('old/', sdkOptions(emulator))) as unknown as Record<string, unknown>;
  t.same(byPrefix.deleted, { 'old/b': 'deleted' });

  const byTag = (await sdk.api.delete_resources_by_tag('sweep', sdkOptions(emulator))) as unknown as Record<string, unknown>;
  t.same(byTag.deleted, { 'tagged/d': 'deleted' });

  t.same(emulator.listAssets('image').map((asset) => asset.publicId), ['keep/c']);
  t.equal(emulator.stats.count('admin.delete'), 5);

  const tooMany = await rejectionOf(sdk.api.delete_resources(Array.from({ length: 101 }, (_, i) => `x${i}`), sdkOptions(emulator)));
  t.match(tooMany, { error: { http_code: 400, message: 'Too many public_ids: 101 > 100' } });
});

t.test('delete all is partial past 1000', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();
  const png = makePng(1, 1);
  for (let batch = 0; batch < 1003; batch += 50) {
    const uploads = [];
    for (let i = batch; i < Math.min(batch + 50, 1003); i += 1) uploads.push(uploadBytes(sdk, emulator, png, { public_id: `bulk/p${i}` }));
    await Promise.all(uploads);
  }

  const first = (await sdk.api.delete_all_resources(sdkOptions(emulator))) as unknown as Record<string, unknown>;
  t.equal(Object.keys(first.deleted as object).length, 1000);
  t.equal(first.partial, true);
  t.type(first.next_cursor, 'string');

  const second = (await sdk.api.delete_all_resources(sdkOptions(emulator, { next_cursor: first.next_cursor }))) as unknown as Record<string, unknown>;
  t.equal(Object.keys(second.deleted as object).length, 3);
  t.equal(second.partial, false);
  t.equal(emulator.listAssets('image').length, 0);
});

t.test('basic auth required', async (t) => {
  const emulator = await startTestEmulator(t);
  const sdk = await loadSdk();

  const wrongSecret = await rejectionOf(sdk.api.resources(sdkOptions(emulator, { api_secret: 'nope' })));
  t.match(wrongSecret, { error: { http_code: 401, message: 'api_secret mismatch' } });

  const wrongKey = await rejectionOf(sdk.api.resources(sdkOptions(emulator, { api_key: '42' })));
  t.match(wrongKey, { error: { http_code: 401, message: 'Unknown API key 42' } });

  const anonymous = await fetch(`${emulator.url}/v1_1/plate-demo/resources/image`);
  t.equal(anonymous.status, 401);
  t.same(await anonymous.json(), { error: { message: 'Must supply api_key' } });
});

t.test('rate limit answers 420', async (t) => {
  let now = Date.parse('2025-01-01T12:30:00Z');
  const emulator = await startTestEmulator(t, { adminRateLimit: 3, now: () => now });
  const sdk = await loadSdk();

  const remaining: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const page = (await sdk.api.resources(sdkOptions(emulator))) as unknown as AdminList;
    remaining.push(Number(page.rate_limit_remaining));
  }
  t.same(remaining, [2, 1, 0]);

  const limited = await rejectionOf(sdk.api.resources(sdkOptions(emulator)));
  t.match(limited, {
    error: {
      http_code: 420,
      message: 'Rate Limit Exceeded. Limit of 3 api operations reached. Try again on 2025-01-01 13:00:00 UTC',
    },
  });

  const auth = `Basic ${Buffer.from(`${emulator.credentials.apiKey}:${emulator.credentials.apiSecret}`).toString('base64')}`;
  const raw = await fetch(`${emulator.url}/v1_1/plate-demo/resources/image`, { headers: { authorization: auth } });
  t.equal(raw.status, 420);
  t.equal(raw.headers.get('x-featureratelimit-limit'), '3');
  t.equal(raw.headers.get('x-featureratelimit-remaining'), '0');
  t.equal(raw.headers.get('x-featureratelimit-reset'), 'Wed, 01 Jan 2025 13:00:00 GMT');

  now = Date.parse('2025-01-01T13:00:01Z');
  const nextHour = (await sdk.api.resources(sdkOptions(emulator))) as unknown as AdminList;
  t.equal(nextHour.rate_limit_remaining, 2, 'quota renews each hour');
  t.equal(emulator.stats.count('admin.resources'), 6);
});
