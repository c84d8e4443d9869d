'use strict';
// The balance lives in process memory and the check and
// the write happen in one synchronous step. The fraud check is awaited BEFORE
// the check, so requests do interleave, but nothing can run between
// "balance >= amount" and "balance -= amount": on Node's single thread this is
// safe, and racecheck must not cry wolf.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

const app = createApp();
// checkThenSet: fraud check awaited, then check and write with no await between.
mountBank(app, accounts.bankOps((id, delta) => accounts.checkThenSet(id, delta)));
addErrorHandlers(app);
listen(app);
