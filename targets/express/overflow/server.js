'use strict';
// A bank that checks the type and the sign but not the size: any positive
// integral JS number is an amount. 2^53 + 1 arrives as 2^53, 2^63 and 1e21
// are accepted, and the balance leaves the range where a double is exact.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

function parseAmount(body) {
  const amount = body?.amount;
  return typeof amount === 'number' && Number.isInteger(amount) && amount > 0 ? amount : null;
}

const app = createApp();
// The same safe synchronous check-and-set as mem-sync: only the parsing differs.
mountBank(app, accounts.bankOps((id, delta) => accounts.checkThenSet(id, delta)), parseAmount);
addErrorHandlers(app);
listen(app);
