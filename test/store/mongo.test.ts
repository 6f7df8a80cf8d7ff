import t from 'tap';
import { runStoreContract } from './contract.js';
import { openMongoStore } from './mongo-store.js';

const uri = process.env.MONGODB_URI;

if (uri) {
  void runStoreContract(t, { label: 'MongoDB', makeStore: (t) => openMongoStore(t, uri) });
} else {
  t.plan(0, 'MongoDB contract suite skipped: MONGODB_URI is not set');
}
