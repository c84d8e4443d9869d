'use strict';
// A busy-lock gone wrong, as it is often written —
// `try { performCriticalWork() } finally { locked = false }` — around work that
// is async. The `return` hands back a promise without awaiting it, so the
// `finally` releases the lock as soon as the work has STARTED. The next request
// gets the lock while the first one is still awaiting its fraud check, and both
// read-modify-write the same balance: lost updates and overdrafts, with a lock
// that looks perfectly fine in review. (busy-lock/ differs by one word: `await`.)
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();
let locked = false;

async function underLock(id, delta) {
  if (!accounts.get(id)) return results.notFound();
  if (locked) return results.busy();
  locked = true;
  try {
    return accounts.readCheckAwaitWrite(id, delta); // BUG: not awaited
  } finally {
    locked = false; // runs before the write above has happened
  }
}

const app = createApp();
mountBank(app, accounts.bankOps(underLock));
addErrorHandlers(app);
listen(app);
