'use strict';
// A bank whose amount check forgets the sign: any non-zero integer is an
// amount. A withdrawal of -50 passes the balance check (balance + 50 >= 0)
// and credits the account.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

function parseAmount(body) {
  const amount = body?.amount;
  if (!Number.isSafeInteger(amount) || amount === 0) return null;
  return amount;
}

const app = createApp();
// The same safe synchronous check-and-set as mem-sync: only the parsing differs.
mountBank(app, accounts.bankOps((id, delta) => accounts.checkThenSet(id, delta)), parseAmount);
addErrorHandlers(app);
listen(app);
