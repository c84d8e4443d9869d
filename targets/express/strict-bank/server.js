'use strict';
// A bank that validates strictly: the amount must be a JSON number that is a
// safe integer from 1 to 10^12; strings, fractions, exponents beyond that,
// booleans, null, arrays and objects are all refused with 400.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

const MAX_AMOUNT = 1e12;

function parseAmount(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const amount = body.amount;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) return null;
  return amount >= 1 && amount <= MAX_AMOUNT ? amount : null;
}

const app = createApp();
// The same safe synchronous check-and-set as mem-sync: only the parsing differs.
mountBank(app, accounts.bankOps((id, delta) => accounts.checkThenSet(id, delta)), parseAmount);
addErrorHandlers(app);
listen(app);
