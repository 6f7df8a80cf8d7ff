import t from 'tap';
import type { Problem } from '../../src/http/problems.js';
import { generatePng } from '../helpers/photos.js';
import { startTestService } from '../helpers/service.js';
import { countRecords } from './support.js';

interface HostileCase {
  name: string;
  send: (baseUrl: string) => Promise<Response>;
  status: number;
  code: string;
  /** Fields the problem's errors[] must name, in order; omitted when the problem names none. */
  fields?: string[];
}

const TEN_MB = 10 * 1024 * 1024;
const MAX_UPLOAD_BYTES = 64 * 1024;

function postRaw(route: string, body: string | Buffer, contentType = 'application/json') {
  return (baseUrl: string) => fetch(`${baseUrl}${route}`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

function postExport(body: unknown) {
  return postRaw('/v1/exports', JSON.stringify(body));
}

function get(route: string) {
  return (baseUrl: string) => fetch(`${baseUrl}${route}`, { redirect: 'manual' });
}

/** Builds a multipart upload from text fields and an optional file part. */
function upload(fields: Record<string, string>, file?: { bytes: Buffer; name: string; field?: string }) {
  return (baseUrl: string) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.set(name, value);
    if (file) form.set(file.field ?? 'file', new Blob([file.bytes]), file.name);
    return fetch(`${baseUrl}/v1/images`, { method: 'POST', body: form });
  };
}

const png = generatePng(7);
const localFileHeader = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const range = { from: '2025-07-01', to: '2025-07-02' };

const hostileCases: HostileCase[] = [
  { name: 'truncated JSON', send: postRaw('/v1/exports', '{"from": "2025-07-01", "to":'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['body'] },
  { name: 'JSON that is not an object', send: postRaw('/v1/exports', '["2025-07-01"]'), status: 400, code: 'PA_ERR_VALIDATION' },
  { name: 'empty JSON body', send: postRaw('/v1/exports', ''), status: 400, code: 'PA_ERR_VALIDATION' },
  { name: 'body of 1 MB', send: postExport({ ...range, timezone: 'x'.repeat(1024 * 1024) }), status: 413, code: 'PA_ERR_PAYLOAD_TOO_LARGE' },
  { name: 'plate of 10 MB', send: postExport({ ...range, plate: 'A'.repeat(TEN_MB) }), status: 413, code: 'PA_ERR_PAYLOAD_TOO_LARGE' },
  { name: 'wrong types', send: postExport({ from: 20250701, to: true }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['from', 'to'] },
  { name: 'null bounds', send: postExport({ from: null, to: null }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['from', 'to'] },
  { name: '$ne operator in from', send: postExport({ from: { $ne: null }, to: '2025-07-02' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['from'] },
  { name: '$gt operator in plate', send: postExport({ ...range, plate: { $gt: '' } }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: '$where key in body', send: postExport({ ...range, $where: 'sleep(1000)' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['$where'] },
  { name: '$ne as plate text', send: postExport({ ...range, plate: '{"$ne": ""}' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: '__proto__ in body', send: postRaw('/v1/exports', `{"from":"2025-07-01","to":"2025-07-02","__proto__":{"admin":true}}`), status: 400, code: 'PA_ERR_VALIDATION' },
  {
    name: 'constructor.prototype in body',
    send: postRaw('/v1/exports', `{"from":"2025-07-01","to":"2025-07-02","constructor":{"prototype":{"admin":true}}}`),
    status: 400,
    code: 'PA_ERR_VALIDATION',
  },
  { name: 'CR/LF header injection in plate', send: postExport({ ...range, plate: 'AB123\r\nSet-Cookie: admin=1' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: 'plate of 65 characters', send: postExport({ ...range, plate: 'A'.repeat(65) }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: 'path traversal as timezone', send: postExport({ ...range, timezone: '../../../../etc/passwd' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['timezone'] },
  { name: 'from after to', send: postExport({ from: '2025-07-05', to: '2025-07-01' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['to'] },
  { name: 'impossible date', send: postExport({ from: '2025-02-30', to: '2025-03-01' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['from'] },
  { name: 'range too long', send: postExport({ from: '2020-01-01', to: '2025-01-01' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['to'] },
  { name: 'text/plain body', send: postRaw('/v1/exports', 'from=2025-07-01', 'text/plain'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['body'] },
  { name: 'XML body', send: postRaw('/v1/exports', '<export from="2025-07-01"/>', 'application/xml'), status: 415, code: 'PA_ERR_UNSUPPORTED_MEDIA' },
  { name: '$ne in the query string of a list', send: get('/v1/images?from[$ne]=x&to=2025-07-02'), status: 400, code: 'PA_ERR_VALIDATION' },
  { name: 'plate[$ne]= in the query string', send: get('/v1/images?from=2025-07-01&to=2025-07-02&plate[$ne]='), status: 400, code: 'PA_ERR_VALIDATION' },
  { name: 'limit far too high', send: get('/v1/images?from=2025-07-01&to=2025-07-02&limit=100000'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['limit'] },
  { name: 'forged cursor', send: get('/v1/images?from=2025-07-01&to=2025-07-02&cursor=Li4vLi4vZXRj'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['cursor'] },
  { name: 'path traversal in export id', send: get('/v1/exports/..%2F..%2F..%2Fetc%2Fpasswd'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['id'] },
  { name: 'encoded dots in export id', send: get('/v1/exports/%2e%2e%2f%2e%2e%2fplate-archive.db'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['id'] },
  { name: 'unknown export id', send: get('/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA'), status: 404, code: 'PA_ERR_NOT_FOUND' },
  { name: 'negative part number', send: get('/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA/parts/-1'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['n'] },
  { name: 'wait operator', send: get('/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA?wait[$gt]=0'), status: 400, code: 'PA_ERR_VALIDATION' },
  { name: 'wait too long', send: get('/v1/exports/ex_AAAAAAAAAAAAAAAAAAAAAA?wait=100000'), status: 400, code: 'PA_ERR_VALIDATION', fields: ['wait'] },
  { name: 'unknown route', send: get('/v1/../../etc/passwd'), status: 404, code: 'PA_ERR_NOT_FOUND' },
  { name: 'upload as JSON', send: postRaw('/v1/images', JSON.stringify({ plate: 'AB123', file: 'aGVsbG8=' })), status: 415, code: 'PA_ERR_UNSUPPORTED_MEDIA', fields: ['body'] },
  { name: 'upload of a text file', send: upload({ plate: 'AB123' }, { bytes: Buffer.from('hello, not a photo'), name: 'photo.jpg' }), status: 415, code: 'PA_ERR_UNSUPPORTED_MEDIA', fields: ['file'] },
  {
    name: 'upload of a zip-bomb-like file',
    send: upload({ plate: 'AB123' }, { bytes: Buffer.concat([localFileHeader, Buffer.alloc(2048)]), name: '../../../42.zip' }),
    status: 415,
    code: 'PA_ERR_UNSUPPORTED_MEDIA',
    fields: ['file'],
  },
  {
    name: 'upload with a 10 MB plate',
    send: upload({ plate: 'A'.repeat(TEN_MB) }, { bytes: png, name: 'photo.png' }),
    status: 400,
    code: 'PA_ERR_VALIDATION',
    fields: ['plate'],
  },
  { name: 'upload with CR/LF in the plate', send: upload({ plate: 'AB1\r\nX-Injected: 1' }, { bytes: png, name: 'photo.png' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: 'upload with $ne as plate', send: upload({ plate: '{"$ne":null}' }, { bytes: png, name: 'photo.png' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: 'upload without a file', send: upload({ plate: 'AB123' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['file'] },
  { name: 'upload without a plate', send: upload({}, { bytes: png, name: 'photo.png' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['plate'] },
  { name: 'upload with a bad capturedAt', send: upload({ plate: 'AB123', capturedAt: "'; DROP TABLE photos; --" }, { bytes: png, name: 'photo.png' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['capturedAt'] },
  { name: 'upload with an unknown field', send: upload({ plate: 'AB123', $where: '1' }, { bytes: png, name: 'photo.png' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['$where'] },
  { name: 'upload with the file under another name', send: upload({ plate: 'AB123' }, { bytes: png, name: 'photo.png', field: 'document' }), status: 400, code: 'PA_ERR_VALIDATION', fields: ['document'] },
  {
    name: 'upload above MAX_UPLOAD_BYTES',
    send: upload({ plate: 'AB123' }, { bytes: Buffer.concat([png, Buffer.alloc(MAX_UPLOAD_BYTES * 4)]), name: 'photo.png' }),
    status: 413,
    code: 'PA_ERR_PAYLOAD_TOO_LARGE',
    fields: ['file'],
  },
];

t.test('1,000 hostile requests each get a 4xx problem', async (t) => {
  const service = await startTestService(t, { MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES) });
  const emulator = service.runtime.emulator!;
  const total = 1000;
  const batchSize = 20;

  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const mismatches: string[] = [];
  const seen = new Map<string, number>();
  const started = performance.now();

  for (let offset = 0; offset < total; offset += batchSize) {
    const batch = Array.from({ length: Math.min(batchSize, total - offset) }, (_, index) => hostileCases[(offset + index) % hostileCases.length]!);
    await Promise.all(
      batch.map(async (hostile) => {
        const response = await hostile.send(service.baseUrl);
        const contentType = response.headers.get('content-type') ?? '';
        const problem = (await response.json()) as Problem;
        const fields = problem.errors?.map((entry) => entry.field);

        const wrong: string[] = [];
        if (response.status !== hostile.status) wrong.push(`status ${response.status}`);
        if (!contentType.startsWith('application/problem+json')) wrong.push(`content-type ${contentType}`);
        if (problem.code !== hostile.code) wrong.push(`code ${problem.code}`);
        if (problem.status !== response.status) wrong.push(`body status ${problem.status}`);
        if (hostile.fields && JSON.stringify(fields) !== JSON.stringify(hostile.fields)) wrong.push(`fields ${JSON.stringify(fields)}`);
        if (wrong.length > 0) mismatches.push(`${hostile.name}: ${wrong.join(', ')} (${problem.detail})`);
        seen.set(hostile.name, (seen.get(hostile.name) ?? 0) + 1);
      }),
    );
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const elapsedMs = performance.now() - started;

  t.strictSame(mismatches, [], 'every request gets the expected 4xx problem+json');
  t.equal([...seen.values()].reduce((sum, count) => sum + count, 0), total);
  t.equal(seen.size, hostileCases.length, 'every case was sent');

  // The test process runs the service too, so this bounds both: 10 MB bodies must be rejected
  // while streaming rather than buffered 20 at a time.
  const growthMb = (peakRss - baselineRss) / 1024 / 1024;
  t.ok(growthMb < 300, `resident memory grew by ${growthMb.toFixed(0)} MB, under 300 MB`);

  t.strictSame(countRecords(service.dataDir), { photos: 0, exports: 0 }, 'no record was created');
  t.equal(emulator.stats.count('upload'), 0, 'nothing reached Cloudinary');
  t.equal(emulator.stats.count('generate_archive.create'), 0);

  const health = await fetch(`${service.baseUrl}/readyz`);
  await health.body?.cancel();
  t.equal(health.status, 200, 'the service is still ready');

  t.comment(
    `figure: ${total} hostile requests (${hostileCases.length} kinds, ${batchSize} at a time) in ${elapsedMs.toFixed(0)} ms, ` +
      `peak RSS growth ${growthMb.toFixed(0)} MB, 0 records created`,
  );
});
