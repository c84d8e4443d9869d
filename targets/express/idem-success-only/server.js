'use strict';
// Idempotency keys with the layer of idem-correct (in-flight marker before
// the first await, 409 to duplicates in flight, 422 to a reused key), but
// storing only SUCCESSFUL responses — "why would anyone replay an error?". A
// withdrawal refused for insufficient funds leaves no trace of its key, so the
// client's retry with the same key executes again; once a deposit has arrived
// in between, the retry succeeds. One request, two different answers: the
// client that saw "insufficient funds" and gave up has been charged anyway by
// its retry queue. The balances stay right; the key's promise does not.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');
const { MemoryIdempotency } = require('../lib/idempotency-memory');

const accounts = new MemoryAccounts();
const idempotency = new MemoryIdempotency({ replay: 'successes' }); // BUG: refusals are not stored

const app = createApp();
mountBank(app, accounts.bankOps((id, delta, ctx) =>
  idempotency.run(id, ctx.key, `${ctx.op}:${ctx.amount}`, () => accounts.checkThenSet(id, delta))));
addErrorHandlers(app);
listen(app);
