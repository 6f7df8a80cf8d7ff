import t from 'tap';
import { CloudinaryError } from '../../src/cloudinary/errors.js';
import { backoffDelay, withRetry, type RetryHooks, type RetryPolicy } from '../../src/cloudinary/retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, maxRateLimitWaitMs: 120_000, timeoutMs: 5000 };

/** Hooks with a fixed clock that record every sleep instead of waiting. */
function recordingHooks(options: { now?: number; random?: number } = {}) {
  const sleeps: number[] = [];
  const retries: Array<{ attempt: number; delayMs: number; httpCode: number }> = [];
  const hooks: RetryHooks = {
    now: () => options.now ?? Date.parse('2025-01-01T12:00:00Z'),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => options.random ?? 0.5,
    onRetry: ({ attempt, delayMs, error }) => retries.push({ attempt, delayMs, httpCode: error.httpCode }),
  };
  return { hooks, sleeps, retries };
}

/** Builds a call that rejects with `rejections` in turn, then resolves with `result`. */
function flakyCall<T>(rejections: unknown[], result: T) {
  let calls = 0;
  const call = async (): Promise<T> => {
    calls += 1;
    const rejection = rejections[calls - 1];
    if (rejection !== undefined) throw rejection;
    return result;
  };
  return { call, calls: () => calls };
}

const uploadFamily = (status: number, message = `failure ${status}`) => ({ message, name: 'Error', http_code: status });

t.test('backoffDelay stays within full-jitter bounds', async (t) => {
  const almostOne = 1 - Number.EPSILON;
  const expectedCeilings = [100, 200, 400, 800, 1000, 1000];

  for (const [index, ceiling] of expectedCeilings.entries()) {
    const attempt = index + 1;
    t.equal(backoffDelay(attempt, policy, () => 0), 0, `attempt ${attempt}: random 0 gives no delay`);
    t.equal(backoffDelay(attempt, policy, () => almostOne), ceiling - 1, `attempt ${attempt}: delay stays below ${ceiling} ms`);
    t.equal(backoffDelay(attempt, policy, () => 0.5), ceiling / 2, `attempt ${attempt}: half the ceiling at random 0.5`);
  }
});

t.test('withRetry does not retry 400, 401, 403, 404 or 409', async (t) => {
  for (const status of [400, 401, 403, 404, 409]) {
    const { hooks, sleeps } = recordingHooks();
    const { call, calls } = flakyCall([uploadFamily(status)], 'never');

    const error = await withRetry('generate_archive', call, policy, hooks).catch((rejection: unknown) => rejection);
    t.ok(error instanceof CloudinaryError, `${status}: rejects with a CloudinaryError`);
    t.equal((error as CloudinaryError).httpCode, status, `${status}: keeps the status`);
    t.equal((error as CloudinaryError).retryable, false, `${status}: not retryable`);
    t.equal(calls(), 1, `${status}: called once`);
    t.strictSame(sleeps, [], `${status}: never sleeps`);
  }
});

t.test('withRetry retries 0, 420, 429, 499 and 5xx', async (t) => {
  const cases: Array<{ status: number; rejection: unknown }> = [
    { status: 0, rejection: { error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) } },
    { status: 420, rejection: uploadFamily(420, 'Rate Limit Exceeded') },
    { status: 429, rejection: uploadFamily(429, 'Too Many Requests') },
    { status: 499, rejection: { error: { message: 'Request Timeout', http_code: 499, name: 'TimeoutError' } } },
    { status: 500, rejection: uploadFamily(500) },
    { status: 502, rejection: { message: 'Server returned unexpected status code - 502', http_code: 502, name: 'UnexpectedResponse' } },
    { status: 503, rejection: { message: 'Server returned unexpected status code - 503', http_code: 503, name: 'UnexpectedResponse' } },
  ];

  for (const { status, rejection } of cases) {
    const { hooks, sleeps, retries } = recordingHooks({ random: 0.5 });
    const { call, calls } = flakyCall([rejection, rejection], { public_id: 'exports/ex_1/part-1.zip' });

    const result = await withRetry('generate_archive', call, policy, hooks);
    t.strictSame(result, { public_id: 'exports/ex_1/part-1.zip' }, `${status}: the third attempt's result`);
    t.equal(calls(), 3, `${status}: three calls`);
    t.strictSame(sleeps, [50, 100], `${status}: backs off with jitter before each retry`);
    t.strictSame(
      retries.map((retry) => retry.httpCode),
      [status, status],
      `${status}: onRetry sees the status`,
    );
  }
});

t.test('withRetry stops at maxAttempts', async (t) => {
  const { hooks, sleeps } = recordingHooks({ random: 0 });
  const failures = Array.from({ length: 10 }, () => uploadFamily(503));
  const { call, calls } = flakyCall(failures, 'never');

  const error = await withRetry('upload', call, { ...policy, maxAttempts: 3 }, hooks).catch((rejection: unknown) => rejection);
  t.ok(error instanceof CloudinaryError);
  t.equal((error as CloudinaryError).httpCode, 503);
  t.equal(calls(), 3, 'three attempts and no more');
  t.equal(sleeps.length, 2, 'sleeps only between attempts');
});

t.test('withRetry with maxAttempts 1 never retries', async (t) => {
  const { hooks } = recordingHooks();
  const { call, calls } = flakyCall([uploadFamily(503)], 'never');

  const error = await withRetry('upload', call, { ...policy, maxAttempts: 1 }, hooks).catch((rejection: unknown) => rejection);
  t.ok(error instanceof CloudinaryError);
  t.equal((error as CloudinaryError).httpCode, 503);
  t.equal(calls(), 1);
});

t.test('420 waits until the reset it names', async (t) => {
  const now = Date.parse('2025-01-01T12:59:18Z');
  const { hooks, sleeps, retries } = recordingHooks({ now, random: 0.5 });
  const rateLimited = {
    error: { message: 'Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC', http_code: 420 },
  };
  const { call, calls } = flakyCall([rateLimited], { resources: [] });

  const result = await withRetry('resources', call, policy, hooks);
  t.strictSame(result, { resources: [] });
  t.equal(calls(), 2);
  t.strictSame(sleeps, [42_000], 'sleeps exactly until 13:00:00 UTC');
  t.strictSame(retries, [{ attempt: 1, delayMs: 42_000, httpCode: 420 }]);
});

t.test('420 reset in the past falls back to backoff', async (t) => {
  const { hooks, sleeps } = recordingHooks({ now: Date.parse('2025-01-01T13:00:05Z'), random: 0.5 });
  const { call } = flakyCall([uploadFamily(420, 'Rate Limit Exceeded. Try again on 2025-01-01 13:00:00 UTC')], 'ok');

  t.equal(await withRetry('upload', call, policy, hooks), 'ok');
  t.strictSame(sleeps, [50]);
});

t.test('420 reset beyond maxRateLimitWaitMs fails at once', async (t) => {
  const { hooks, sleeps } = recordingHooks({ now: Date.parse('2025-01-01T12:00:00Z') });
  const { call, calls } = flakyCall([uploadFamily(420, 'Rate Limit Exceeded. Try again on 2025-01-01 13:00:00 UTC')], 'never');

  const error = await withRetry('resources', call, { ...policy, maxRateLimitWaitMs: 60_000 }, hooks).catch((rejection: unknown) => rejection);
  t.ok(error instanceof CloudinaryError);
  t.equal((error as CloudinaryError).httpCode, 420);
  t.equal((error as CloudinaryError).retryAt?.toISOString(), '2025-01-01T13:00:00.000Z');
  t.equal(calls(), 1);
  t.strictSame(sleeps, []);
});

t.test('withRetry times out a hung call and retries it', async (t) => {
  const { hooks } = recordingHooks({ random: 0 });
  let calls = 0;
  const call = () => {
    calls += 1;
    return calls === 1 ? new Promise<string>(() => {}) : Promise.resolve('answered');
  };

  t.equal(await withRetry('resources', call, { ...policy, timeoutMs: 20 }, hooks), 'answered');
  t.equal(calls, 2);
});

t.test('call timeout rejects with a retryable 499', async (t) => {
  const { hooks } = recordingHooks();
  const stalled = () => new Promise<never>(() => {});
  const error = await withRetry('resources', stalled, { ...policy, maxAttempts: 1, timeoutMs: 10 }, hooks).catch((rejection: unknown) => rejection);
  t.ok(error instanceof CloudinaryError);
  t.equal((error as CloudinaryError).httpCode, 499);
  t.equal((error as CloudinaryError).retryable, true);
  t.equal((error as CloudinaryError).code, 'PA_ERR_CLOUDINARY_TIMEOUT');
  t.equal((error as CloudinaryError).message, 'Cloudinary resources timed out after 10 ms');
});
