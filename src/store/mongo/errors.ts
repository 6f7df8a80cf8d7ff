import mongoose from 'mongoose';
import { StoreUnavailableError } from '../../errors.js';

const { mongo } = mongoose;

/**
 * Server error codes seen while a replica set elects a new primary or a node shuts down. The
 * driver retries a write once (retryWrites); when that retry fails too, the store is unavailable
 * for the moment rather than broken.
 */
const FAILOVER_CODES = new Set([
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/** Error names without an exported class: the driver's pool-cleared error and mongoose's connect-time wrapper. */
const UNAVAILABLE_ERROR_NAMES = new Set(['MongoPoolClearedError', 'MongooseServerSelectionError']);

/** Tells whether `error` means the server cannot be reached right now. */
export function isUnavailableError(error: unknown): boolean {
  if (
    error instanceof mongo.MongoServerSelectionError ||
    error instanceof mongo.MongoNetworkError ||
    error instanceof mongo.MongoNotConnectedError
  ) {
    return true;
  }
  if (error instanceof mongo.MongoServerError && typeof error.code === 'number' && FAILOVER_CODES.has(error.code)) return true;
  return error instanceof Error && UNAVAILABLE_ERROR_NAMES.has(error.name);
}

export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof mongo.MongoServerError && error.code === 11000;
}

/**
 * Runs one database operation and turns connection loss into StoreUnavailableError, so routes
 * respond with 503. Other errors pass through unchanged.
 */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isUnavailableError(error)) throw new StoreUnavailableError(error);
    throw error;
  }
}
