import t from 'tap';
import { CloudinaryError, parseRetryAt, toCloudinaryError } from '../../src/cloudinary/errors.js';

const adminRequestOptions = { auth: 'key:secret', method: 'GET' };

/** Builds the Node error that the SDK passes on for a failed socket. */
function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

interface Expected {
  httpCode: number;
  retryable: boolean;
  code: string;
  message: string;
}

/** Every rejection shape the cloudinary SDK 2.11 produces, per API family, with what it must map to. */
const rejectionShapes: Array<{ name: string; rejection: unknown; expected: Expected }> = [
  {
    name: 'upload family 400 with a JSON error',
    rejection: { message: 'Invalid Signature abc. String to sign - timestamp=1.', name: 'Error', http_code: 400 },
    expected: { httpCode: 400, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Invalid Signature abc. String to sign - timestamp=1.' },
  },
  {
    name: 'upload family 401',
    rejection: { message: 'Unknown API key 123', name: 'Error', http_code: 401 },
    expected: { httpCode: 401, retryable: false, code: 'PA_ERR_CLOUDINARY_AUTH', message: 'Unknown API key 123' },
  },
  {
    name: 'upload family 404',
    rejection: { message: 'Resource not found - vehicles/2025-01-01/AB1_120000_abc', name: 'Error', http_code: 404 },
    expected: { httpCode: 404, retryable: false, code: 'PA_ERR_CLOUDINARY_NOT_FOUND', message: 'Resource not found - vehicles/2025-01-01/AB1_120000_abc' },
  },
  {
    name: 'upload family 420 with a reset time',
    rejection: { message: 'Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC', name: 'Error', http_code: 420 },
    expected: {
      httpCode: 420,
      retryable: true,
      code: 'PA_ERR_CLOUDINARY_RATE_LIMITED',
      message: 'Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC',
    },
  },
  {
    name: 'upload family 429',
    rejection: { message: 'Too many requests', name: 'Error', http_code: 429 },
    expected: { httpCode: 429, retryable: true, code: 'PA_ERR_CLOUDINARY_RATE_LIMITED', message: 'Too many requests' },
  },
  {
    name: 'upload family 500 with a JSON error',
    rejection: { message: 'General error', name: 'Error', http_code: 500 },
    expected: { httpCode: 500, retryable: true, code: 'PA_ERR_CLOUDINARY_UNAVAILABLE', message: 'General error' },
  },
  {
    name: 'upload family 403 the SDK does not parse',
    rejection: { message: 'Server returned unexpected status code - 403', http_code: 403, name: 'UnexpectedResponse' },
    expected: { httpCode: 403, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Server returned unexpected status code - 403' },
  },
  {
    name: 'upload family unexpected 502',
    rejection: { message: 'Server returned unexpected status code - 502', http_code: 502, name: 'UnexpectedResponse' },
    expected: { httpCode: 502, retryable: true, code: 'PA_ERR_CLOUDINARY_UNAVAILABLE', message: 'Server returned unexpected status code - 502' },
  },
  {
    name: 'upload family body that is not JSON',
    rejection: { message: 'Server return invalid JSON response. Status Code 500. SyntaxError: Unexpected token <', name: 'Error', http_code: 500 },
    expected: {
      httpCode: 500,
      retryable: true,
      code: 'PA_ERR_CLOUDINARY_UNAVAILABLE',
      message: 'Server return invalid JSON response. Status Code 500. SyntaxError: Unexpected token <',
    },
  },
  {
    name: 'upload family timeout',
    rejection: { error: { message: 'Request Timeout', http_code: 499, name: 'TimeoutError' } },
    expected: { httpCode: 499, retryable: true, code: 'PA_ERR_CLOUDINARY_TIMEOUT', message: 'Request Timeout' },
  },
  {
    name: 'upload family network error',
    rejection: { error: networkError('ECONNRESET', 'socket hang up') },
    expected: { httpCode: 0, retryable: true, code: 'PA_ERR_CLOUDINARY_NETWORK', message: 'socket hang up' },
  },
  {
    name: 'upload family refused connection',
    rejection: { error: networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1') },
    expected: { httpCode: 0, retryable: true, code: 'PA_ERR_CLOUDINARY_NETWORK', message: 'connect ECONNREFUSED 127.0.0.1:1' },
  },
  {
    name: 'admin family 400',
    rejection: { request_options: adminRequestOptions, query_params: {}, error: { message: 'Invalid value for max_results', http_code: 400 } },
    expected: { httpCode: 400, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Invalid value for max_results' },
  },
  {
    name: 'admin family 404',
    rejection: { request_options: adminRequestOptions, query_params: {}, error: { message: 'Resource not found - exports/x.zip', http_code: 404 } },
    expected: { httpCode: 404, retryable: false, code: 'PA_ERR_CLOUDINARY_NOT_FOUND', message: 'Resource not found - exports/x.zip' },
  },
  {
    name: 'admin family 420',
    rejection: {
      request_options: adminRequestOptions,
      query_params: {},
      error: { message: 'Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC', http_code: 420 },
    },
    expected: {
      httpCode: 420,
      retryable: true,
      code: 'PA_ERR_CLOUDINARY_RATE_LIMITED',
      message: 'Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC',
    },
  },
  {
    name: 'admin family 403',
    rejection: { request_options: adminRequestOptions, query_params: {}, error: { message: 'Not allowed', http_code: 403 } },
    expected: { httpCode: 403, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Not allowed' },
  },
  {
    name: 'admin family unexpected 502, not wrapped',
    rejection: { message: 'Server returned unexpected status code - 502', http_code: 502, request_options: adminRequestOptions, query_params: {} },
    expected: { httpCode: 502, retryable: true, code: 'PA_ERR_CLOUDINARY_UNAVAILABLE', message: 'Server returned unexpected status code - 502' },
  },
  {
    name: 'admin family unexpected 423 with the status only in the text',
    rejection: { message: 'Server returned unexpected status code - 423', request_options: adminRequestOptions },
    expected: { httpCode: 423, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Server returned unexpected status code - 423' },
  },
  {
    name: 'admin family body that is not JSON',
    rejection: { request_options: adminRequestOptions, query_params: {}, error: { message: 'Server return invalid JSON response. Status Code 400', http_code: 400 } },
    expected: { httpCode: 400, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Server return invalid JSON response. Status Code 400' },
  },
  {
    name: 'admin family network error',
    rejection: networkError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'),
    expected: { httpCode: 0, retryable: true, code: 'PA_ERR_CLOUDINARY_NETWORK', message: 'connect ECONNREFUSED 127.0.0.1:1' },
  },
  {
    name: 'admin family socket hang up without a code',
    rejection: new Error('socket hang up'),
    expected: { httpCode: 0, retryable: true, code: 'PA_ERR_CLOUDINARY_NETWORK', message: 'socket hang up' },
  },
  {
    name: 'reply 200 with an error key',
    rejection: { message: 'Something odd', name: 'Error', http_code: 200 },
    expected: { httpCode: 200, retryable: false, code: 'PA_ERR_CLOUDINARY_REJECTED', message: 'Something odd' },
  },
];

t.test('toCloudinaryError maps every SDK rejection shape', async (t) => {
  for (const { name, rejection, expected } of rejectionShapes) {
    const error = toCloudinaryError(rejection);
    t.ok(error instanceof CloudinaryError, `${name}: is a CloudinaryError`);
    t.equal(error.httpCode, expected.httpCode, `${name}: httpCode`);
    t.equal(error.retryable, expected.retryable, `${name}: retryable`);
    t.equal(error.code, expected.code, `${name}: code`);
    t.equal(error.message, expected.message, `${name}: message`);
  }
});

t.test('toCloudinaryError reads the reset of rate limits only', async (t) => {
  const admin = toCloudinaryError({ error: { message: 'Rate Limit Exceeded. Try again on 2025-01-01 13:00:00 UTC', http_code: 420 } });
  t.equal(admin.retryAt?.toISOString(), '2025-01-01T13:00:00.000Z');

  const upload = toCloudinaryError({ message: 'Too many. Try again on 2025-03-30 01:59:59 UTC', http_code: 429 });
  t.equal(upload.retryAt?.toISOString(), '2025-03-30T01:59:59.000Z');

  const notRateLimited = toCloudinaryError({ message: 'Try again on 2025-01-01 13:00:00 UTC', http_code: 500 });
  t.equal(notRateLimited.retryAt, null, 'a 500 never waits for a reset');
});

t.test('toCloudinaryError keeps admin credentials out of the error', async (t) => {
  const error = toCloudinaryError({ request_options: { auth: 'key:super-secret' }, error: { message: 'Not allowed', http_code: 403 } });
  t.notMatch(JSON.stringify({ ...error, message: error.message }), /super-secret/);
  t.notMatch(error.message, /super-secret/);
});

t.test('toCloudinaryError returns a CloudinaryError unchanged', async (t) => {
  const original = new CloudinaryError('timed out', 499, true);
  t.equal(toCloudinaryError(original), original);
});

t.test('toCloudinaryError treats unknown rejections as retryable 500', async (t) => {
  for (const rejection of [undefined, null, 'boom', 42, {}]) {
    const error = toCloudinaryError(rejection);
    t.equal(error.httpCode, 500, `${String(rejection)}: httpCode`);
    t.equal(error.retryable, true, `${String(rejection)}: retryable`);
  }
});

t.test('parseRetryAt reads Cloudinary reset times', async (t) => {
  const cases: Array<[string, string | null]> = [
    ['Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC', '2025-01-01T13:00:00.000Z'],
    ['rate limit exceeded. try again on 2024-12-31 23:00:00 UTC', '2024-12-31T23:00:00.000Z'],
    ['Try again on 2025-06-15T08:00:00 UTC', '2025-06-15T08:00:00.000Z'],
    ['Rate Limit Exceeded', null],
    ['Try again on 2025-02-30 13:00:00 UTC', null],
    ['Try again on 2025-01-01 25:00:00 UTC', null],
    ['Try again later', null],
    ['', null],
  ];

  for (const [message, expected] of cases) {
    t.equal(parseRetryAt(message)?.toISOString() ?? null, expected, JSON.stringify(message));
  }
});
