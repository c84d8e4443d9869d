'use strict';
// A busy-lock: one global lock flag; a request that finds it taken is refused
// with 429 instead of waiting. The read-modify-write around the awaited fraud
// check is only safe because the lock stays held until the work has finished:
// `return await` keeps the `finally` from running before the promise settles.
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
    return await accounts.readCheckAwaitWrite(id, delta);
  } finally {
    locked = false; // runs after the write: the await above waits for it
  }
}

const app = createApp();
mountBank(app, accounts.bankOps(underLock));
addErrorHandlers(app);
listen(app);
