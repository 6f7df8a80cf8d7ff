import { setTimeout as sleep } from 'node:timers/promises';
import { withTimeout } from '../util/with-timeout.js';
import { CloudinaryError, toCloudinaryError } from './errors.js';

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Maximum wait for a rate-limit reset. A later reset fails the call instead. */
  maxRateLimitWaitMs: number;
  timeoutMs: number;
}

export interface RetryHooks {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  onRetry?: (info: { operation: string; attempt: number; delayMs: number; error: CloudinaryError }) => void;
}

export const defaultRetryHooks: RetryHooks = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
  random: Math.random,
};

/**
 * Delay before retry number `attempt` (1-based): exponential backoff with full jitter, so many
 * instances retrying after one Cloudinary hiccup spread out instead of arriving together.
 */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `call` until it succeeds, fails with an error that will never succeed (4xx other than
 * rate limits), or uses up `maxAttempts`. A rate-limit reply that names a reset time is waited
 * out instead of backed off.
 */
export async function withRetry<T>(operation: string, call: () => Promise<T>, policy: RetryPolicy, hooks: RetryHooks): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      // The SDK's Admin-API client sets a socket timeout without a handler and can hang forever
      // (cloudinary 2.11), so every call gets a timer of its own.
      const timedOut = () => new CloudinaryError(`Cloudinary ${operation} timed out after ${policy.timeoutMs} ms`, 499, true);
      return await withTimeout(call(), policy.timeoutMs, timedOut);
    } catch (rejection) {
      const error = toCloudinaryError(rejection);
      if (!error.retryable || attempt >= policy.maxAttempts) throw error;

      // NOTE: the SDK drops response headers when it rejects (cloudinary 2.11), so Retry-After and
      // X-FeatureRateLimit-Reset are not visible here; the reset time comes from the message text.
      let delayMs = backoffDelay(attempt, policy, hooks.random);
      if (error.retryAt) {
        const untilReset = error.retryAt.getTime() - hooks.now();
        if (untilReset > policy.maxRateLimitWaitMs) throw error;
        delayMs = Math.max(delayMs, untilReset);
      }

      hooks.onRetry?.({ operation, attempt, delayMs, error });
      await hooks.sleep(delayMs);
    }
  }
}
