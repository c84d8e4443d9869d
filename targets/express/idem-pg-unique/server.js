'use strict';
// Idempotency keys in PostgreSQL under a unique constraint, claimed in the
// same transaction as the balance update (lib/idempotent-pg-bank.js). A
// concurrent duplicate waits on the key's row and then replays the stored
// response; it never executes twice.
const { serveIdempotentPgBank } = require('../lib/idempotent-pg-bank');

serveIdempotentPgBank('idem_pg_unique');
