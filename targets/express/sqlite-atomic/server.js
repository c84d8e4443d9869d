'use strict';
// Atomic logic in the database: the balance lives in the database and a withdrawal is ONE
// conditional statement — UPDATE ... SET balance = balance - ? WHERE id = ? AND
// balance >= ? — so the check and the write cannot be separated, whatever the
// service awaited before (here: a fraud check).
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');
const { openAccounts } = require('../lib/sqlite');

const db = openAccounts();
const insert = db.prepare('INSERT INTO accounts (balance) VALUES (?) RETURNING id, balance');
const select = db.prepare('SELECT id, balance FROM accounts WHERE id = ?');
const withdraw = db.prepare(
  'UPDATE accounts SET balance = balance - @amount WHERE id = @id AND balance >= @amount RETURNING id, balance');
const deposit = db.prepare('UPDATE accounts SET balance = balance + @amount WHERE id = @id RETURNING id, balance');

const ops = {
  create: (balance) => insert.get(balance),
  get: (id) => select.get(id) ?? null,
  async withdraw(id, amount) {
    if (!select.get(id)) return results.notFound();
    await fraudCheck(id, amount);
    const row = withdraw.get({ id, amount });
    if (!row) return results.insufficientFunds(select.get(id).balance);
    return results.applied(row, amount);
  },
  async deposit(id, amount) {
    if (!select.get(id)) return results.notFound();
    await fraudCheck(id, amount);
    return results.applied(deposit.get({ id, amount }), amount);
  },
};

const app = createApp();
mountBank(app, ops);
addErrorHandlers(app);
listen(app, { cleanup: () => db.close() });
