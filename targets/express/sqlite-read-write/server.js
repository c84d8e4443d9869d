'use strict';
// A lost update through a database: the balance is in SQLite, but the service reads
// it, awaits the fraud check, decides in JavaScript and writes back the value
// it computed. A database does not help when the read and the write are two
// statements with an await between them: another request's read-modify-write
// runs in the gap, and one of the two writes is lost.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');
const { openAccounts } = require('../lib/sqlite');

const db = openAccounts();
const insert = db.prepare('INSERT INTO accounts (balance) VALUES (?) RETURNING id, balance');
const select = db.prepare('SELECT id, balance FROM accounts WHERE id = ?');
const update = db.prepare('UPDATE accounts SET balance = @balance WHERE id = @id');

async function readModifyWrite(id, delta) {
  const account = select.get(id);
  if (!account) return results.notFound();
  if (account.balance + delta < 0) return results.insufficientFunds(account.balance);
  await fraudCheck(id, Math.abs(delta)); // BUG: account.balance may be stale when we resume
  const balance = account.balance + delta;
  update.run({ id, balance });
  return results.applied({ id, balance }, Math.abs(delta));
}

const ops = {
  create: (balance) => insert.get(balance),
  get: (id) => select.get(id) ?? null,
  withdraw: (id, amount) => readModifyWrite(id, -amount),
  deposit: (id, amount) => readModifyWrite(id, amount),
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app, { cleanup: () => db.close() });
