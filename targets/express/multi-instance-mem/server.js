'use strict';
// A service that is correct as one process, scaled out. Balances
// are in the shared PostgreSQL database (atomic conditional updates, no lost
// update), but the idempotency keys are kept by the correct in-memory layer of
// idem-correct — in EACH instance's own memory. launch.sh starts two instances;
// a client whose request timed out retries with the same key, the load
// balancer sends the retry to the other instance, which has never seen the key
// and charges again.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');
const { MemoryIdempotency } = require('../lib/idempotency-memory');
const { openPool, isAccountId, createAccount, getAccount, conditionalMove, ACCOUNTS_DDL } = require('../lib/pg');

async function main() {
  const pool = await openPool('multi_instance_mem', ACCOUNTS_DDL);
  const idempotency = new MemoryIdempotency(); // BUG: per process, not per service

  const move = async (id, delta) => {
    if (!isAccountId(id)) return results.notFound();
    await fraudCheck(id, Math.abs(delta));
    return conditionalMove(pool, id, delta);
  };

  const app = createApp();
  mountBank(app, {
    create: (balance) => createAccount(pool, balance),
    get: (id) => getAccount(pool, id),
    withdraw: (id, amount, ctx) => idempotency.run(id, ctx.key, `withdraw:${amount}`, () => move(id, -amount)),
    deposit: (id, amount, ctx) => idempotency.run(id, ctx.key, `deposit:${amount}`, () => move(id, amount)),
  });
  addErrorHandlers(app);
  listen(app, { cleanup: () => pool.end() });
}

main().catch((err) => { console.error('start-up failed:', err.message); process.exit(1); });
