import { spawnSync } from 'node:child_process';
import t from 'tap';
import { ConfigError, parseConfig } from '../src/config.js';

t.test('defaults match the documented values', async (t) => {
  const config = parseConfig({});
  t.equal(config.PORT, 3000);
  t.equal(config.HOST, '127.0.0.1');
  t.equal(config.TIMEZONE, 'UTC');
  t.equal(config.MAX_EXPORT_DAYS, 92);
  t.equal(config.ARCHIVE_MAX_FILES, 1000);
  t.equal(config.ARCHIVE_MAX_BYTES, 104_857_600);
  t.equal(config.DOWNLOAD_URL_TTL_SECONDS, 3600);
  t.equal(config.EXPORT_RETENTION_DAYS, 7);
  t.equal(config.OPEN_RANGE_REUSE_SECONDS, 300);
  t.equal(config.PREBUILD_CRON, '15 0 * * *');
  t.equal(config.PREBUILD_CATCHUP_DAYS, 3);
  t.equal(config.EMULATOR_PORT, 4010);
  t.strictSame(config.API_TOKENS, []);
  t.equal(config.MONGODB_URI, undefined);
  t.ok(Object.isFrozen(config), 'frozen');
});

t.test('doubled variable name gets a hint', async (t) => {
  t.throws(() => parseConfig({ CLOUDINARY_URL: 'CLOUDINARY_URL=cloudinary://k:s@c' }), {
    message: /CLOUDINARY_URL: starts with CLOUDINARY_URL= itself; use only the part after the = sign/,
  });
});

t.test('blank values count as unset', async (t) => {
  t.equal(parseConfig({ MONGODB_URI: '', TIMEZONE: '  ' }).TIMEZONE, 'UTC');
});

t.test('bad values name the variable', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ TIMEZONE: 'Mars/Olympus' }, 'TIMEZONE'],
    [{ ARCHIVE_MAX_FILES: '1001' }, 'ARCHIVE_MAX_FILES'],
    [{ CLOUDINARY_URL: 'https://api.cloudinary.com' }, 'CLOUDINARY_URL'],
    [{ MONGODB_URI: 'postgres://x' }, 'MONGODB_URI'],
    [{ API_TOKENS: 'mobile:short' }, 'API_TOKENS'],
    [{ API_TOKENS: 'mobile:0123456789abcdef:root' }, 'API_TOKENS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ CLOUDINARY_URL: 'CLOUDINARY_URL=cloudinary://k:s@c' }, 'CLOUDINARY_URL'],
  ];
  for (const [env, variable] of cases) {
    t.throws(() => parseConfig(env), ConfigError);
    try {
      parseConfig(env);
    } catch (error) {
      t.match((error as Error).message, new RegExp(`^  - ${variable}: `, 'm'), `${variable} is named`);
    }
  }
});

t.test('API tokens parse with scopes', async (t) => {
  const config = parseConfig({ API_TOKENS: 'mobile:0123456789abcdef, ops:fedcba9876543210:admin+export' });
  t.strictSame(config.API_TOKENS, [
    { name: 'mobile', token: '0123456789abcdef', scopes: ['upload', 'export'] },
    { name: 'ops', token: 'fedcba9876543210', scopes: ['admin', 'export'] },
  ]);
});

t.test('server exits 1 on a bad value and names it', async (t) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, TIMEZONE: 'Nowhere/City', DATA_DIR: t.testdir() },
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(result.status, 1);
  t.match(result.stderr, /TIMEZONE: must be an IANA time zone name/);
});

t.test('bad cron expressions name the variable', async (t) => {
  t.throws(() => parseConfig({ PREBUILD_CRON: 'every night' }), { message: /PREBUILD_CRON: 'every night' is not a valid cron expression/ });
  t.throws(() => parseConfig({ RETENTION_CRON: '61 * * * *' }), { message: /RETENTION_CRON: / });
  t.equal(parseConfig({ PREBUILD_CRON: 'off', RETENTION_CRON: 'OFF' }).PREBUILD_CRON, 'off');
});
