'use strict';
// Seed §19 taken literally: "Already processed? -> return previous result. Not
// processed? -> execute logic", with an in-memory cache of finished responses.
// The cache is written only AFTER the operation (which awaits a fraud check),
// so a duplicate that arrives while the original is in flight — a client
// retrying after a timeout, a double-clicked "Pay" button — finds nothing and
// executes again: one key, two charges. The balance logic itself is safe
// (synchronous check-and-set), so the only bug is the idempotency layer.
const crypto = require('node:crypto');
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');

const accounts = new Map(); // id -> {id, balance}
const processed = new Map(); // `${accountId}\n${key}` -> {fingerprint, response}

async function applyOnce(id, ctx, execute) {
  if (ctx.key === null) return execute();
  const cacheKey = `${id}\n${ctx.key}`;
  const fingerprint = `${ctx.op}:${ctx.amount}`;
  const previous = processed.get(cacheKey);
  if (previous) {
    return previous.fingerprint === fingerprint ? previous.response : results.keyReused();
  }
  const response = await execute(); // BUG: a duplicate arriving now is not seen as one
  processed.set(cacheKey, { fingerprint, response });
  return response;
}

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
  withdraw: (id, amount, ctx) => applyOnce(id, ctx, () => move(id, -amount)),
  deposit: (id, amount, ctx) => applyOnce(id, ctx, () => move(id, amount)),
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app);
