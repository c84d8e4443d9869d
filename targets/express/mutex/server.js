'use strict';
// Seed §13/§14 done with a real lock: one async-mutex per account. Requests for
// the same account queue up (instead of being refused like the busy-lock) and
// run the read, the awaited fraud check and the write one at a time; requests
// for different accounts do not wait for each other.
const crypto = require('node:crypto');
const { Mutex } = require('async-mutex');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');

const accounts = new Map(); // id -> {id, balance, mutex}

async function readCheckAwaitWrite(id, delta) {
  const account = accounts.get(id);
  if (!account) return results.notFound();
  return account.mutex.runExclusive(async () => {
    const current = account.balance;
    if (current + delta < 0) return results.insufficientFunds(current);
    await fraudCheck(id, Math.abs(delta));
    account.balance = current + delta;
    return results.applied(account, Math.abs(delta));
  });
}

const ops = {
  create(balance) {
    const account = { id: crypto.randomUUID(), balance, mutex: new Mutex() };
    accounts.set(account.id, account);
    return account;
  },
  get: (id) => accounts.get(id) ?? null,
  withdraw: (id, amount) => readCheckAwaitWrite(id, -amount),
  deposit: (id, amount) => readCheckAwaitWrite(id, amount),
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app);
