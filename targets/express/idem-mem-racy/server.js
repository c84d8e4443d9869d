'use strict';
// An idempotency cache taken literally: "Already processed? -> return previous result. Not
// processed? -> execute logic", with an in-memory cache of finished responses.
// The cache is written only AFTER the operation (which awaits a fraud check),
// so a duplicate that arrives while the original is in flight — a client
// retrying after a timeout, a double-clicked "Pay" button — finds nothing and
// executes again: one key, two charges. The balance logic itself is safe
// (synchronous check-and-set), so the only bug is the idempotency layer.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();
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

const app = createApp();
mountBank(app, accounts.bankOps((id, delta, ctx) => applyOnce(id, ctx, () => accounts.checkThenSet(id, delta))));
addErrorHandlers(app);
listen(app);
