import type { v2 as CloudinaryV2 } from 'cloudinary';

export type CloudinarySdk = typeof CloudinaryV2;

/** Parsed parts of a `cloudinary://key:secret@cloud?upload_prefix=...` URL. */
export interface CloudinaryCredentials {
  cloudName: string;
  apiKey: string;
  apiSecret: string;
  /** API host, without a trailing slash; `https://api.cloudinary.com` unless the URL sets one. */
  uploadPrefix: string;
}

export function parseCloudinaryUrl(value: string): CloudinaryCredentials {
  const url = new URL(value);
  if (url.protocol.toLowerCase() !== 'cloudinary:') throw new Error('CLOUDINARY_URL must start with cloudinary://');

  const uploadPrefix = (url.searchParams.get('upload_prefix') ?? 'https://api.cloudinary.com').replace(/\/+$/, '');
  return {
    cloudName: decodeURIComponent(url.hostname),
    apiKey: decodeURIComponent(url.username),
    apiSecret: decodeURIComponent(url.password),
    uploadPrefix,
  };
}

let loaded: Promise<CloudinarySdk> | null = null;
let loadedProtocol: 'http' | 'https' | null = null;

/**
 * Loads the `cloudinary` SDK once per process. The SDK picks Node's `http` or `https` module
 * when its modules are first required: cloudinary 2.11 lib/uploader.js and
 * lib/api_client/execute_request.js read `upload_prefix` at load. An emulator on plain HTTP
 * therefore only works when the environment names an `http:` prefix at that moment. Nothing
 * else in the project may import the SDK's values, though type imports are erased and safe.
 *
 * Every call then passes credentials and `upload_prefix` per call, so the global config is
 * never relied on and one process can talk to several emulators on different ports.
 */
export function loadCloudinarySdk(protocol: 'http' | 'https'): Promise<CloudinarySdk> {
  if (loaded) {
    if (loadedProtocol !== protocol) {
      return Promise.reject(
        new Error(`The cloudinary SDK was already loaded for ${loadedProtocol}; one process cannot use both http and https API hosts`),
      );
    }
    return loaded;
  }

  loadedProtocol = protocol;
  const previous = process.env.CLOUDINARY_URL;
  // The SDK parses CLOUDINARY_URL while it loads; a placeholder with the right scheme fixes the
  // protocol, and the real host and port arrive per call.
  process.env.CLOUDINARY_URL =
    protocol === 'http'
      ? 'cloudinary://placeholder:placeholder@placeholder?upload_prefix=http://127.0.0.1:1'
      : 'cloudinary://placeholder:placeholder@placeholder';

  loaded = import('cloudinary').then(
    (module) => {
      restoreEnv(previous);
      return module.v2;
    },
    (error: unknown) => {
      restoreEnv(previous);
      loaded = null;
      loadedProtocol = null;
      throw error;
    },
  );
  return loaded;
}

function restoreEnv(previous: string | undefined): void {
  if (previous === undefined) delete process.env.CLOUDINARY_URL;
  else process.env.CLOUDINARY_URL = previous;
}

/** Returns the per-call options that point a single SDK call at one account. */
export function callOptions(credentials: CloudinaryCredentials): Record<string, string> {
  return {
    cloud_name: credentials.cloudName,
    api_key: credentials.apiKey,
    api_secret: credentials.apiSecret,
    upload_prefix: credentials.uploadPrefix,
  };
}
