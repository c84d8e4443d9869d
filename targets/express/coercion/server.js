'use strict';
// A bank that parses the amount the careless way, parseInt(req.body.amount):
// "50abc" executes 50, 5e-7 executes 5 (its text is "5e-7"), 50.5 executes
// 50, [50] executes 50. Only NaN and non-positive results are refused.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

function parseAmount(body) {
  const amount = parseInt(body?.amount, 10);
  return Number.isNaN(amount) || amount <= 0 ? null : amount;
}

const app = createApp();
// The same safe synchronous check-and-set as mem-sync: only the parsing differs.
mountBank(app, accounts.bankOps((id, delta) => accounts.checkThenSet(id, delta)), parseAmount);
addErrorHandlers(app);
listen(app);
