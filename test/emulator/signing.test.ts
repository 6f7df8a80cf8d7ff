import t from 'tap';
import {
  algorithmOfSignature,
  buildStringToSign,
  signNotification,
  signParams,
  signResponse,
} from '../../src/cloudinary/emulator/signing.js';

const SECRET = 'emu-secret-123';

t.test('upload signature vector', async (t) => {
  const params = {
    public_id: 'vehicles/2025-01-01/AB123CD_120000_k3j9x2',
    tags: 'day-2025-01-01,plate-AB123CD',
    context: 'plate=AB123CD|raw_plate=AB 123-CD',
    overwrite: '0',
    timestamp: '1735732800',
  };

  t.equal(
    buildStringToSign(params),
    'context=plate=AB123CD|raw_plate=AB 123-CD&overwrite=0&public_id=vehicles/2025-01-01/AB123CD_120000_k3j9x2&tags=day-2025-01-01,plate-AB123CD&timestamp=1735732800',
  );
  t.equal(signParams(params, SECRET), '9fd707f903b35253b0e0914aed654b0efee0b61c');
  t.equal(signParams(params, SECRET, 'sha256'), 'd6c3b99ac23e9f4b92d019ec848cb790290fe656c9850e67bf0eacbe26ebd799');
});

t.test('create_zip signature vector', async (t) => {
  const params = {
    'public_ids[]': ['vehicles/2025-01-01/AB123CD_120000_k3j9x2', 'vehicles/2025-01-01/XY987ZT_130500_p0q8w1'],
    target_format: 'zip',
    target_public_id: 'exports/ex_7f3k',
    'target_tags[]': ['export'],
    allow_missing: '1',
    mode: 'create',
    timestamp: '1735732800',
    api_key: '123456789012345',
    signature: 'ignored',
  };

  t.equal(
    buildStringToSign(params),
    'allow_missing=1&mode=create&public_ids=vehicles/2025-01-01/AB123CD_120000_k3j9x2,vehicles/2025-01-01/XY987ZT_130500_p0q8w1&target_format=zip&target_public_id=exports/ex_7f3k&target_tags=export&timestamp=1735732800',
  );
  t.equal(signParams(params, SECRET), '6d75e57eda19e441d20ab33211b55411c512c1da');
});

t.test('ampersand in version 1 and 2', async (t) => {
  const params = { public_id: 'a&b', timestamp: '1735732800' };
  t.equal(buildStringToSign(params, 2), 'public_id=a%26b&timestamp=1735732800');
  t.equal(signParams(params, SECRET, 'sha1', 2), '67dee3fb45995f47b4052e53f205c278b99be6b2');
  t.equal(buildStringToSign(params, 1), 'public_id=a&b&timestamp=1735732800');
  t.equal(signParams(params, SECRET, 'sha1', 1), '5b2cea598774c7576666fec2f6c1c67a14f1bbf4');
});

t.test('private download signature vector', async (t) => {
  const params = {
    timestamp: '1735732800',
    public_id: 'exports/ex_7f3k.zip',
    attachment: 'true',
    expires_at: '1735736400',
  };
  t.equal(buildStringToSign(params), 'attachment=true&expires_at=1735736400&public_id=exports/ex_7f3k.zip&timestamp=1735732800');
  t.equal(signParams(params, SECRET), '5763a7ccd386b437d6848d67d7ea10325cf4dcd2');
});

t.test('response signature vector', async (t) => {
  t.equal(signResponse('vehicles/2025-01-01/AB123CD_120000_k3j9x2', 1735732801, SECRET), '8ec2af4d8c69eea08eb084821a8b5df35b63e068');
});

t.test('notification signature vector', async (t) => {
  const body = '{"notification_type":"upload","public_id":"x"}';
  t.equal(signNotification(body, 1735732900, SECRET, 'sha1'), '562d7fadbed5337b024b35d5578fe9d2a0888080');
});

t.test('blank values and unsigned names', async (t) => {
  const params = {
    file: 'data:image/png;base64,AAAA',
    cloud_name: 'plate-demo',
    resource_type: 'image',
    api_key: '123',
    signature: 'abc',
    folder: '',
    'tags[]': ['', 'b', ''],
    'empty[]': [],
    type: undefined,
    timestamp: '1',
  };
  t.equal(buildStringToSign(params), 'tags=b&timestamp=1');
});

t.test('signature algorithm by length', async (t) => {
  t.equal(algorithmOfSignature('a'.repeat(40)), 'sha1');
  t.equal(algorithmOfSignature('A'.repeat(64)), 'sha256');
  t.equal(algorithmOfSignature('a'.repeat(41)), null);
  t.equal(algorithmOfSignature('z'.repeat(40)), null);
});
