'use strict';
// Several instances done right: the service is run as several instances (launch.sh
// starts two), and everything they must agree on — balances AND idempotency
// keys — lives in the shared PostgreSQL database (lib/idempotent-pg-bank.js).
// A retry that a load balancer sends to the other instance finds the key the
// first instance stored and replays its response.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { openIdempotentPgBank } = require('../lib/idempotent-pg-bank');

async function main() {
  const { pool, ops } = await openIdempotentPgBank('multi_instance_shared');
  const app = createApp();
  mountBank(app, ops);
  addErrorHandlers(app);
  listen(app, { cleanup: () => pool.end() });
}

main().catch((err) => { console.error('start-up failed:', err.message); process.exit(1); });
