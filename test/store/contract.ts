import type { Test } from 'tap';
import { runExportContract } from './contract-exports.js';
import { runJobContract } from './contract-jobs.js';
import { runLeaseContract } from './contract-leases.js';
import { runPhotoContract } from './contract-photos.js';
import type { MakeStore } from './fixtures.js';

export interface StoreContractOptions {
  /** Adapter name, used as the name of the enclosing test. */
  label: string;
  makeStore: MakeStore;
}

/**
 * Runs the behaviour every Store adapter must share. Each test opens its own empty store with
 * `makeStore`, so tests never see each other's data.
 */
export function runStoreContract(t: Test, { label, makeStore }: StoreContractOptions): Promise<unknown> {
  return t.test(`${label} store contract`, async (t) => {
    t.test('photos', async (t) => runPhotoContract(t, makeStore));
    t.test('exports', async (t) => runExportContract(t, makeStore));
    t.test('jobs', async (t) => runJobContract(t, makeStore));
    t.test('leases', async (t) => runLeaseContract(t, makeStore));
  });
}
