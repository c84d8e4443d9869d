'use strict';
// Serialization done with a real lock: one async-mutex per account. Requests for
// the same account queue up (instead of being refused like the busy-lock) and
// run the read, the awaited fraud check and the write one at a time; requests
// for different accounts do not wait for each other.
const { Mutex } = require('async-mutex');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();
const mutexes = new Map(); // account id -> Mutex

function mutexFor(id) {
  if (!mutexes.has(id)) mutexes.set(id, new Mutex());
  return mutexes.get(id);
}

async function underAccountMutex(id, delta) {
  if (!accounts.get(id)) return results.notFound();
  return mutexFor(id).runExclusive(() => accounts.readCheckAwaitWrite(id, delta));
}

const app = createApp();
mountBank(app, accounts.bankOps(underAccountMutex));
addErrorHandlers(app);
listen(app);
