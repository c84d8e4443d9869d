'use strict';
// Seed §16-§19 done right in one process: the in-memory balance of mem-sync
// behind an idempotency layer that claims each key with an in-flight marker
// before the first await (duplicates in flight get 409 key_in_flight), stores
// every finished response and replays it — refusals too — and refuses a key
// reused with a different payload with 422. See lib/idempotency-memory.js.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');
const { MemoryIdempotency } = require('../lib/idempotency-memory');

const accounts = new Map(); // id -> {id, balance}
const idempotency = new MemoryIdempotency();

async function move(id, delta) {
  if (!accounts.has(id)) return results.notFound();
  await fraudCheck(id, Math.abs(delta));
  const account = accounts.get(id);
  if (account.balance + delta < 0) return results.insufficientFunds(account.balance);
  account.balance += delta;
  return results.applied(account, Math.abs(delta));
}

const ops = {
  create(balance) {
    const account = { id: crypto.randomUUID(), balance };
    accounts.set(account.id, account);
    return account;
  },
  get: (id) => accounts.get(id) ?? null,
  withdraw: (id, amount, ctx) => idempotency.run(id, ctx.key, `withdraw:${amount}`, () => move(id, -amount)),
  deposit: (id, amount, ctx) => idempotency.run(id, ctx.key, `deposit:${amount}`, () => move(id, amount)),
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app);
