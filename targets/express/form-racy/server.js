'use strict';
// A form-encoded bank whose movements read the balance,
// await a remote fraud check, then write the value computed from the read:
// concurrent withdrawals all pass the check (overdraft) and concurrent
// movements overwrite each other (lost update).
const { serveFormBank } = require('../lib/form-bank');

// BUG: another request for the account can run during the await.
serveFormBank((accounts, id, delta) => accounts.readCheckAwaitWrite(id, delta));
