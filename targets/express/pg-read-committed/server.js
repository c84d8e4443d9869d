'use strict';
// "Move the state to the database" done halfway. The balance is in
// PostgreSQL and each operation runs in a transaction, but the transaction
// SELECTs the balance, awaits the fraud check, and UPDATEs it to the value
// computed in JavaScript. Under READ COMMITTED (PostgreSQL's default) the
// SELECT takes no lock, so two transactions read the same balance and the
// second UPDATE overwrites the first: a lost update inside a transaction.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');
const { openPool, withTransaction, isAccountId, createAccount, getAccount, ACCOUNTS_DDL } = require('../lib/pg');

async function main() {
  const pool = await openPool('pg_read_committed', ACCOUNTS_DDL);

  const readModifyWrite = (id, delta) => withTransaction(pool, async (client) => {
    if (!isAccountId(id)) return results.notFound();
    const { rows } = await client.query('SELECT balance FROM accounts WHERE id = $1', [id]);
    if (!rows.length) return results.notFound();
    const current = Number(rows[0].balance);
    if (current + delta < 0) return results.insufficientFunds(current);
    await fraudCheck(id, Math.abs(delta)); // BUG: nothing stops another transaction from reading `current` too
    await client.query('UPDATE accounts SET balance = $2 WHERE id = $1', [id, current + delta]);
    return results.applied({ id, balance: current + delta }, Math.abs(delta));
  }, 'READ COMMITTED');

  const app = createApp();
  mountBank(app, {
    create: (balance) => createAccount(pool, balance),
    get: (id) => getAccount(pool, id),
    withdraw: (id, amount) => readModifyWrite(id, -amount),
    deposit: (id, amount) => readModifyWrite(id, amount),
  });
  addErrorHandlers(app);
  listen(app, { cleanup: () => pool.end() });
}

main().catch((err) => { console.error('start-up failed:', err.message); process.exit(1); });
