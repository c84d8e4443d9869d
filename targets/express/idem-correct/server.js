'use strict';
// Idempotency keys done right in one process: the in-memory balance of mem-sync
// behind an idempotency layer that claims each key with an in-flight marker
// before the first await (duplicates in flight get 409 key_in_flight), stores
// every finished response and replays it — refusals too — and refuses a key
// reused with a different payload with 422. See lib/idempotency-memory.js.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');
const { MemoryIdempotency } = require('../lib/idempotency-memory');

const accounts = new MemoryAccounts();
const idempotency = new MemoryIdempotency();

const app = createApp();
mountBank(app, accounts.bankOps((id, delta, ctx) =>
  idempotency.run(id, ctx.key, `${ctx.op}:${ctx.amount}`, () => accounts.checkThenSet(id, delta))));
addErrorHandlers(app);
listen(app);
