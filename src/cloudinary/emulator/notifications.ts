import type { FastifyBaseLogger } from 'fastify';
import { unixSeconds } from './clock.js';
import type { EmulatorContext } from './context.js';
import { badRequest } from './errors.js';
import { signNotification, type SignatureAlgorithm } from './signing.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Rejects a `notification_url` that leaves this machine: the emulator only ever calls
 * servers that the tests started on loopback.
 */
export function assertLoopbackNotificationUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badRequest(`Invalid notification_url ${value}`);
  }

  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw badRequest(`Invalid notification_url ${value} - the emulator only notifies http URLs on 127.0.0.1 or localhost`);
  }
}

/**
 * POSTs the reply to `notification_url` the way Cloudinary sends webhooks: JSON with a
 * `notification_type`, signed in `X-Cld-Signature` over the exact body, timestamp and secret.
 * Failures are logged and not retried.
 */
export function sendNotification(
  context: EmulatorContext,
  url: string,
  notificationType: string,
  payload: Record<string, unknown>,
  algorithm: SignatureAlgorithm,
  log: FastifyBaseLogger,
): void {
  const timestamp = unixSeconds(context.clock);
  const body = JSON.stringify({ notification_type: notificationType, ...payload });
  const signature = signNotification(body, timestamp, context.settings.apiSecret, algorithm);

  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cld-timestamp': String(timestamp), 'x-cld-signature': signature },
    body,
  }).then(
    (response) => {
      if (!response.ok) log.warn({ url, status: response.status }, 'notification_url returned an error status');
    },
    (error: unknown) => log.warn({ url, err: error }, 'notification to notification_url failed'),
  );
}
