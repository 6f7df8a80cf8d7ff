import { formatUtcSeconds, httpDate, nextHourStart, type Clock } from './clock.js';
import { CloudinaryApiError } from './errors.js';

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** When the current hourly window ends, in milliseconds. */
  resetAtMs: number;
}

/**
 * Counts Admin API calls per clock hour, as Cloudinary's hourly Admin API quota does (500 calls
 * on free plans). The window boundary at the top of each UTC hour is the emulator's choice.
 */
export class AdminRateLimiter {
  private windowEndMs = 0;
  private used = 0;

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
  ) {}

  /** Counts one call; throws the 420 Cloudinary sends once the hourly quota is spent. */
  consume(): RateLimitState {
    const now = this.clock();
    if (now >= this.windowEndMs) {
      this.windowEndMs = nextHourStart(now);
      this.used = 0;
    }

    this.used += 1;
    const state = { limit: this.limit, remaining: Math.max(0, this.limit - this.used), resetAtMs: this.windowEndMs };
    if (this.used > this.limit) throw rateLimitExceeded(state);
    return state;
  }

  /** Returns the state a 420 fault reports: the quota spent, resetting at the next hour. */
  exhaustedState(): RateLimitState {
    return { limit: this.limit, remaining: 0, resetAtMs: nextHourStart(this.clock()) };
  }
}

export function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'x-featureratelimit-limit': String(state.limit),
    'x-featureratelimit-remaining': String(state.remaining),
    'x-featureratelimit-reset': httpDate(state.resetAtMs),
  };
}

/** Cloudinary's 420 body text, e.g. `Rate Limit Exceeded. Limit of 500 api operations reached. Try again on 2025-01-01 13:00:00 UTC`. */
export function rateLimitExceededMessage(state: RateLimitState): string {
  const resetAt = formatUtcSeconds(Math.floor(state.resetAtMs / 1000));
  return `Rate Limit Exceeded. Limit of ${state.limit} api operations reached. Try again on ${resetAt} UTC`;
}

export function rateLimitExceeded(state: RateLimitState): CloudinaryApiError {
  return new CloudinaryApiError(420, rateLimitExceededMessage(state), rateLimitHeaders(state));
}
