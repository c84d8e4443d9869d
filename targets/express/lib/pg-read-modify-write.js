'use strict';
// A bank in PostgreSQL whose withdraw and deposit each run one READ COMMITTED
// transaction: SELECT the balance, await the fraud check, UPDATE the balance to
// the value computed in JavaScript. Whether another transaction on the same
// account can run between that SELECT and that UPDATE is decided by the SELECT
// alone, which each target passes in (pg-read-committed, pg-for-update).
const { results, serveBank } = require('./bank-routes');
const { runMain } = require('./server');
const { fraudCheck } = require('./remote');
const { openPool, withTransaction, isAccountId, createAccount, getAccount, ACCOUNTS_DDL } = require('./pg');

// Serves the bank from database `targetName` (see openPool); `selectBalanceSql`
// reads the balance of account $1.
function serveReadModifyWriteBank(targetName, selectBalanceSql) {
  runMain(async () => {
    const pool = await openPool(targetName, ACCOUNTS_DDL);
    const readModifyWrite = (id, delta) => withTransaction(pool, async (client) => {
      if (!isAccountId(id)) return results.notFound();
      const { rows } = await client.query(selectBalanceSql, [id]);
      if (!rows.length) return results.notFound();
      const current = Number(rows[0].balance);
      if (current + delta < 0) return results.insufficientFunds(current);
      await fraudCheck(id, Math.abs(delta));
      await client.query('UPDATE accounts SET balance = $2 WHERE id = $1', [id, current + delta]);
      return results.applied({ id, balance: current + delta }, Math.abs(delta));
    }, 'READ COMMITTED');
    serveBank({
      create: (balance) => createAccount(pool, balance),
      get: (id) => getAccount(pool, id),
      withdraw: (id, amount) => readModifyWrite(id, -amount),
      deposit: (id, amount) => readModifyWrite(id, amount),
    }, { cleanup: () => pool.end() });
  });
}

module.exports = { serveReadModifyWriteBank };
