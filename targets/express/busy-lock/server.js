'use strict';
// Seed §15: one global lock flag; a request that finds it taken is refused
// with 429 instead of waiting. The read-modify-write around the awaited fraud
// check is only safe because the lock stays held until the work has finished:
// `return await` keeps the `finally` from running before the promise settles.
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
    return await readCheckAwaitWrite(account, delta);
  } finally {
    locked = false; // runs after the write: the await above waits for it
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
