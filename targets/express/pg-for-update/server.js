'use strict';
// The state in the database, done right with a row lock: the same transaction as
// pg-read-committed (lib/pg-read-modify-write.js), but the SELECT is
// SELECT ... FOR UPDATE. The row lock is held until COMMIT, so a second
// transaction on the same account waits at its SELECT until the first has
// written, then reads the new balance: the awaited fraud check in between is safe.
const { serveReadModifyWriteBank } = require('../lib/pg-read-modify-write');

serveReadModifyWriteBank('pg_for_update', 'SELECT balance FROM accounts WHERE id = $1 FOR UPDATE');
