import { existsSync } from 'node:fs';
import path from 'node:path';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { scheduleProblems } from './cron/schedules.js';
import './schemas/zod-messages.js';

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const ianaZone = z
  .string()
  .default('UTC')
  .refine((zone) => IANAZone.isValidZone(zone), { message: 'must be an IANA time zone name such as Europe/Paris' });

const cloudinaryUrl = z
  .string()
  .refine((value) => !/^CLOUDINARY_URL=/i.test(value), { message: 'starts with CLOUDINARY_URL= itself; use only the part after the = sign' })
  .regex(/^cloudinary:\/\/[^:@/]+:[^@/]+@[^/?]+/i, {
    message: 'must look like cloudinary://<api_key>:<api_secret>@<cloud_name>',
  })
  .optional();

const apiTokens = z
  .string()
  .optional()
  .transform((value, context) => {
    if (!value) return [];
    const tokens: ApiToken[] = [];
    for (const entry of value.split(',').map((part) => part.trim()).filter(Boolean)) {
      const [name, token, scopes] = entry.split(':');
      if (!name || !token || token.length < 16) {
        context.addIssue({ code: 'custom', message: 'each entry must be name:token[:scopes] with a token of at least 16 characters' });
        return z.NEVER;
      }
      const scopeList = scopes ? scopes.split('+').filter(Boolean) : ['upload', 'export'];
      const unknown = scopeList.filter((scope) => !API_SCOPES.includes(scope as ApiScope));
      if (unknown.length > 0) {
        context.addIssue({ code: 'custom', message: `unknown scope ${unknown.join(', ')}; use upload, export or admin joined by +` });
        return z.NEVER;
      }
      tokens.push({ name, token, scopes: scopeList as ApiScope[] });
    }
    return tokens;
  });

export const API_SCOPES = ['upload', 'export', 'admin'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export interface ApiToken {
  name: string;
  token: string;
  scopes: ApiScope[];
}

export const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, { message: 'must start with mongodb:// or mongodb+srv://' })
    .optional(),
  CLOUDINARY_URL: cloudinaryUrl,
  TIMEZONE: ianaZone,
  PHOTO_FOLDER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, { message: 'must be folder names of letters, digits, - and _ separated by /' })
    .default('vehicles'),
  ARCHIVE_FOLDER: z
    .string()
    .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, { message: 'must be folder names of letters, digits, - and _ separated by /' })
    .default('exports'),
  MAX_EXPORT_DAYS: positiveInt(92),
  ARCHIVE_MAX_FILES: z.coerce.number().int().min(1).max(1000).default(1000),
  ARCHIVE_MAX_BYTES: positiveInt(104_857_600),
  MAX_UPLOAD_BYTES: positiveInt(20_971_520),
  DOWNLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
  EXPORT_RETENTION_DAYS: positiveInt(7),
  OPEN_RANGE_REUSE_SECONDS: z.coerce.number().int().min(0).default(300),
  PREBUILD_CRON: z.string().min(1).default('15 0 * * *'),
  PREBUILD_CATCHUP_DAYS: z.coerce.number().int().min(0).max(31).default(3),
  RETENTION_CRON: z.string().min(1).default('45 0 * * *'),
  BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  JOB_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  CLOUDINARY_TIMEOUT_MS: z.coerce.number().int().min(100).default(120_000),
  CLOUDINARY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  API_TOKENS: apiTokens,
  JWT_SECRET: z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  // NOTE: reserved for Cloudinary upload notifications; nothing reads it yet.
  PUBLIC_BASE_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  EMULATOR_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
});

export type Config = Readonly<z.output<typeof configSchema>>;

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the configuration from an environment object. Blank values count as unset, so an
 * `.env` line such as `MONGODB_URI=` keeps the default.
 */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(String(issue.path[0] ?? ''), issue.message, present)));
  }
  const scheduleIssues = scheduleProblems(result.data);
  if (scheduleIssues.length > 0) throw new ConfigError(scheduleIssues);
  return Object.freeze({ ...result.data, DATA_DIR: path.resolve(result.data.DATA_DIR) });
}

/** Variables whose values must never be echoed back in an error message. */
const SECRET_VARIABLES = new Set(['CLOUDINARY_URL', 'MONGODB_URI', 'API_TOKENS', 'JWT_SECRET']);

function describeIssue(variable: string, message: string, env: Record<string, string | undefined>): string {
  const value = env[variable];
  if (value === undefined || SECRET_VARIABLES.has(variable)) return `${variable}: ${message}`;
  return `${variable}: ${message} (got '${value}')`;
}

/** Reads `.env` from the working directory when it exists, without overriding set variables. */
export function loadDotEnv(file = '.env'): void {
  if (existsSync(file)) process.loadEnvFile(file);
}
