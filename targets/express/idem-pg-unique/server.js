'use strict';
// Idempotency keys in PostgreSQL under a unique constraint, claimed in the
// same transaction as the balance update (lib/idempotent-pg-bank.js). A
// concurrent duplicate waits on the key's row and then replays the stored
// response; it never executes twice.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { openIdempotentPgBank } = require('../lib/idempotent-pg-bank');

async function main() {
  const { pool, ops } = await openIdempotentPgBank('idem_pg_unique');
  const app = createApp();
  mountBank(app, ops);
  addErrorHandlers(app);
  listen(app, { cleanup: () => pool.end() });
}

main().catch((err) => { console.error('start-up failed:', err.message); process.exit(1); });
