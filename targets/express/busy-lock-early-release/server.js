'use strict';
// Seed §15 gone wrong: the busy-lock of the seed, copied as written —
// `try { performCriticalWork() } finally { locked = false }` — around work that
// is async. The `return` hands back a promise without awaiting it, so the
// `finally` releases the lock as soon as the work has STARTED. The next request
// gets the lock while the first one is still awaiting its fraud check, and both
// read-modify-write the same balance: lost updates and overdrafts, with a lock
// that looks perfectly fine in review. (busy-lock/ differs by one word: `await`.)
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');

const accounts = new Map(); // id -> {id, balance}
let locked = false;

async function readCheckAwaitWrite(account, delta) {
  const current = account.balance;
  if (current + delta < 0) return results.insufficientFunds(current);
  await fraudCheck(account.id, Math.abs(delta));
  account.balance = current + delta;
  return results.applied(account, Math.abs(delta));
}

async function underLock(id, delta) {
  const account = accounts.get(id);
  if (!account) return results.notFound();
  if (locked) return results.busy();
  locked = true;
  try {
    return readCheckAwaitWrite(account, delta); // BUG: not awaited
  } finally {
    locked = false; // runs before the write above has happened
  }
}

const ops = {
  create(balance) {
    const account = { id: crypto.randomUUID(), balance };
    accounts.set(account.id, account);
    return account;
  },
  get: (id) => accounts.get(id) ?? null,
  withdraw: (id, amount) => underLock(id, -amount),
  deposit: (id, amount) => underLock(id, amount),
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app);
