import { z } from 'zod';
import { EMULATOR_OPERATIONS, type EmulatorOperation } from './stats.js';

const FAULT_STATUSES = [400, 401, 403, 404, 409, 420, 429, 500, 502, 503] as const;

export const faultRuleSchema = z
  .object({
    operation: z.enum([...EMULATOR_OPERATIONS, '*']),
    times: z.number().int().positive().optional(),
    status: z.literal(FAULT_STATUSES).optional(),
    nonJson: z.boolean().optional(),
    delayMs: z.number().int().nonnegative().optional(),
    dropConnection: z.boolean().optional(),
    overArchiveLimit: z.boolean().optional(),
    headers: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .refine(
    (rule) =>
      rule.status !== undefined || rule.nonJson === true || rule.delayMs !== undefined ||
      rule.dropConnection === true || rule.overArchiveLimit === true,
    { message: 'A fault rule needs at least one of status, nonJson, delayMs, dropConnection or overArchiveLimit' },
  )
  .refine(
    (rule) =>
      rule.overArchiveLimit !== true ||
      (rule.status === undefined && rule.nonJson !== true && rule.delayMs === undefined && rule.dropConnection !== true),
    { message: 'overArchiveLimit cannot be combined with status, nonJson, delayMs or dropConnection' },
  )
  .refine(
    (rule) => rule.overArchiveLimit !== true || rule.operation === '*' || rule.operation.startsWith('generate_archive.'),
    { message: 'overArchiveLimit only applies to generate_archive.create or generate_archive.download' },
  );

/**
 * A test-only fault that applies to the next `times` requests (default 1) of `operation`, then
 * disappears. `delayMs` stalls the reply and `status` replaces it with an error. `nonJson` sends
 * an HTML body instead of JSON. `dropConnection` destroys the socket after the first bytes of a
 * 200 reply. `overArchiveLimit` fails the next archive as if its originals exceeded the byte limit.
 */
export type FaultRule = z.input<typeof faultRuleSchema>;

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** Holds the fault rules in the order they were added; every rule is off until a test adds it. */
export class FaultController {
  private rules: ActiveRule[] = [];

  /** Adds a rule after validating it; throws a ZodError describing an invalid rule. */
  add(rule: FaultRule): void {
    const parsed = faultRuleSchema.parse(rule);
    this.rules.push({ rule: parsed, remaining: parsed.times ?? 1 });
  }

  clear(): void {
    this.rules = [];
  }

  /** Takes the next transport fault (status, body, delay or dropped connection) for this request. */
  takeTransportFault(operation: EmulatorOperation): FaultRule | undefined {
    return this.take(operation, (rule) => rule.overArchiveLimit !== true);
  }

  /** Takes the next `overArchiveLimit` rule for this archive request, if one is pending. */
  takeArchiveLimitFault(operation: EmulatorOperation): boolean {
    return this.take(operation, (rule) => rule.overArchiveLimit === true) !== undefined;
  }

  private take(operation: EmulatorOperation, accepts: (rule: FaultRule) => boolean): FaultRule | undefined {
    const index = this.rules.findIndex(
      (active) => (active.rule.operation === '*' || active.rule.operation === operation) && accepts(active.rule),
    );
    const active = this.rules[index];
    if (!active) return undefined;

    active.remaining -= 1;
    if (active.remaining <= 0) this.rules.splice(index, 1);
    return active.rule;
  }
}
