'use strict';
// Seed §4 as written: the balance lives in process memory and the check and
// the write happen in one synchronous step. The fraud check is awaited BEFORE
// the check, so requests do interleave, but nothing can run between
// "balance >= amount" and "balance -= amount": on Node's single thread this is
// safe, and racecheck must not cry wolf.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');

const accounts = new Map(); // id -> {id, balance}

const ops = {
  create(balance) {
    const account = { id: crypto.randomUUID(), balance };
    accounts.set(account.id, account);
    return account;
  },
  get: (id) => accounts.get(id) ?? null,
  async withdraw(id, amount) {
    if (!accounts.has(id)) return results.notFound();
    await fraudCheck(id, amount);
    const account = accounts.get(id);
    // No await between the check and the write: atomic on the event loop.
    if (account.balance < amount) return results.insufficientFunds(account.balance);
    account.balance -= amount;
    return results.applied(account, amount);
  },
  async deposit(id, amount) {
    if (!accounts.has(id)) return results.notFound();
    await fraudCheck(id, amount);
    const account = accounts.get(id);
    account.balance += amount;
    return results.applied(account, amount);
  },
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app);
