import type { FieldError } from '../errors.js';

/**
 * Normalises a number plate for storage and search: upper case, without spaces, dashes, dots
 * or middle dots, so `ab 123-cd` and `AB123CD` are the same vehicle.
 */
export function normalisePlate(raw: string): string {
  return raw.normalize('NFKC').toUpperCase().replace(/[\s\-.·_]+/gu, '');
}

/** Letters of any script and digits; anything else cannot be part of a public id or a tag. */
const PLATE_PATTERN = /^[\p{L}\p{N}]{1,16}$/u;

/** Returns why a normalised plate is unusable, or null when it is fine. */
export function plateProblem(plate: string): string | null {
  if (plate.length === 0) return 'must contain at least one letter or digit';
  if (plate.length > 16) return 'must be at most 16 letters and digits';
  if (!PLATE_PATTERN.test(plate)) return 'may contain only letters and digits (spaces, dashes and dots are removed)';
  return null;
}

/**
 * Normalises an optional plate filter. Returns a null plate when none was given, and the field
 * error to report when the given one is unusable.
 */
export function parsePlateFilter(raw: string | undefined): { plate: string | null; error: FieldError | null } {
  if (raw === undefined) return { plate: null, error: null };

  const plate = normalisePlate(raw);
  const problem = plateProblem(plate);
  return { plate, error: problem ? { field: 'plate', message: problem } : null };
}
