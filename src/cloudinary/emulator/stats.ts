/** Request kinds the emulator counts and can inject faults into. */
export const EMULATOR_OPERATIONS = [
  'upload',
  'generate_archive.create',
  'generate_archive.download',
  'download',
  'delivery.image',
  'delivery.raw',
  'admin.resources',
  'admin.delete',
  'destroy',
] as const;

export type EmulatorOperation = (typeof EMULATOR_OPERATIONS)[number];

export type ServedResourceType = 'image' | 'raw';

/**
 * Counts requests per operation, whatever their outcome, and the stored asset bytes sent to
 * clients by delivery URLs and private downloads. Snapshot keys are the operation names plus
 * `bytesServed.image` and `bytesServed.raw`.
 */
export class EmulatorStats {
  private readonly requests = new Map<EmulatorOperation, number>();
  private readonly servedBytes = new Map<ServedResourceType, number>();

  count(operation: EmulatorOperation): number {
    return this.requests.get(operation) ?? 0;
  }

  /** Stored bytes of assets of this resource type sent by delivery URLs and private downloads. */
  bytesServed(resourceType: ServedResourceType): number {
    return this.servedBytes.get(resourceType) ?? 0;
  }

  reset(): void {
    this.requests.clear();
    this.servedBytes.clear();
  }

  snapshot(): Record<string, number> {
    const counters: Record<string, number> = {};
    for (const operation of EMULATOR_OPERATIONS) counters[operation] = this.count(operation);
    counters['bytesServed.image'] = this.bytesServed('image');
    counters['bytesServed.raw'] = this.bytesServed('raw');
    return counters;
  }

  recordRequest(operation: EmulatorOperation): void {
    this.requests.set(operation, this.count(operation) + 1);
  }

  recordServedBytes(resourceType: ServedResourceType, bytes: number): void {
    this.servedBytes.set(resourceType, this.bytesServed(resourceType) + bytes);
  }
}
