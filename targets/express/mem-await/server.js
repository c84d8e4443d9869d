'use strict';
// An await between check and write: the same in-memory balance, but the
// service awaits a remote call between reading the balance and writing it.
// While this request waits, other requests run and act on what they read:
//   withdraw: check, await fraud check, then subtract — two withdrawals both
//             pass the check and the balance goes negative (overdraft);
//   deposit:  read, await the ledger write, then store read + amount — one of
//             two concurrent deposits is lost (lost update).
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck, auditWrite } = require('../lib/remote');
const { MemoryAccounts } = require('../lib/memory-accounts');

const accounts = new MemoryAccounts();

const ops = {
  create: (balance) => accounts.create(balance),
  get: (id) => accounts.get(id),
  async withdraw(id, amount) {
    const account = accounts.get(id);
    if (!account) return results.notFound();
    if (account.balance < amount) return results.insufficientFunds(account.balance);
    await fraudCheck(id, amount); // BUG: the check above may be stale when we resume
    account.balance -= amount;
    return results.applied(account, amount);
  },
  async deposit(id, amount) {
    const account = accounts.get(id);
    if (!account) return results.notFound();
    const current = account.balance;
    await auditWrite({ id, op: 'deposit', amount }); // BUG: `current` may be stale when we resume
    account.balance = current + amount;
    return results.applied(account, amount);
  },
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app);
