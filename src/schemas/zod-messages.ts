import { z } from 'zod';

/**
 * Replaces zod's generic messages ("Invalid input: expected string, received undefined") with
 * the phrasing the API uses elsewhere ("is required", "must be at most 30"). Imported once for
 * its effect; a message given in a schema still wins over these.
 */
/** Returns the unit a size limit counts in, with a leading space, or nothing for numbers. */
function unitOf(origin: string): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array') return ' items';
  return '';
}

z.config({
  customError: (issue) => {
    switch (issue.code) {
      case 'invalid_type':
        return issue.input === undefined ? 'is required' : `must be a ${issue.expected}`;
      case 'too_big':
        return `must be at most ${String(issue.maximum)}${unitOf(issue.origin)}`;
      case 'too_small': {
        if (issue.origin === 'string' && issue.minimum === 1) return 'must not be empty';
        const unit = unitOf(issue.origin);
        const bound = issue.inclusive === false ? `greater than ${String(issue.minimum)}` : `at least ${String(issue.minimum)}`;
        return `must be ${bound}${unit}`;
      }
      case 'invalid_value':
        return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
      default:
        return undefined;
    }
  },
});
