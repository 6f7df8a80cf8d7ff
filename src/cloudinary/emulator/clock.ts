/** Milliseconds since the Unix epoch; injectable so tests can move time forward. */
export type Clock = () => number;

export function unixSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}

/** Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` in UTC, the form Cloudinary uses in messages. */
export function formatUtcSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19);
}

/** Formats milliseconds as ISO 8601 with whole seconds and a `Z`, like Cloudinary's `created_at`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** Start of the next full UTC hour after `ms`, in milliseconds. */
export function nextHourStart(ms: number): number {
  const hour = 3_600_000;
  return Math.floor(ms / hour) * hour + hour;
}
