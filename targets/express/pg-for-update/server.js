'use strict';
// The state in the database, done right with a row lock: the same transaction as
// pg-read-committed, but the SELECT is SELECT ... FOR UPDATE. The row lock is
// held until COMMIT, so a second transaction on the same account waits at its
// SELECT until the first has written, then reads the new balance.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { fraudCheck } = require('../lib/remote');
const { openPool, withTransaction, isAccountId, createAccount, getAccount, ACCOUNTS_DDL } = require('../lib/pg');

async function main() {
  const pool = await openPool('pg_for_update', ACCOUNTS_DDL);

  const lockedReadModifyWrite = (id, delta) => withTransaction(pool, async (client) => {
    if (!isAccountId(id)) return results.notFound();
    const { rows } = await client.query('SELECT balance FROM accounts WHERE id = $1 FOR UPDATE', [id]);
    if (!rows.length) return results.notFound();
    const current = Number(rows[0].balance);
    if (current + delta < 0) return results.insufficientFunds(current);
    await fraudCheck(id, Math.abs(delta)); // safe: the row stays locked until COMMIT
    await client.query('UPDATE accounts SET balance = $2 WHERE id = $1', [id, current + delta]);
    return results.applied({ id, balance: current + delta }, Math.abs(delta));
  });

  const app = createApp();
  mountBank(app, {
    create: (balance) => createAccount(pool, balance),
    get: (id) => getAccount(pool, id),
    withdraw: (id, amount) => lockedReadModifyWrite(id, -amount),
    deposit: (id, amount) => lockedReadModifyWrite(id, amount),
  });
  addErrorHandlers(app);
  listen(app, { cleanup: () => pool.end() });
}

main().catch((err) => { console.error('start-up failed:', err.message); process.exit(1); });
