'use strict';
// "Move the state to the database" done halfway. The balance is in
// PostgreSQL and each operation runs in a transaction, but the transaction
// SELECTs the balance, awaits the fraud check, and UPDATEs it to the value
// computed in JavaScript (lib/pg-read-modify-write.js). Under READ COMMITTED
// (PostgreSQL's default) the SELECT takes no lock, so two transactions read the
// same balance and the second UPDATE overwrites the first: a lost update inside
// a transaction. BUG: nothing stops another transaction from reading the
// balance between this SELECT and its UPDATE.
const { serveReadModifyWriteBank } = require('../lib/pg-read-modify-write');

serveReadModifyWriteBank('pg_read_committed', 'SELECT balance FROM accounts WHERE id = $1');
