'use strict';
// A bank whose balances AND idempotency keys live in PostgreSQL: the key row is inserted first, in the same transaction as the balance
// update, under a primary key (account_id, key). A duplicate's INSERT ... ON
// CONFLICT DO NOTHING waits for the original's transaction; once it commits,
// the duplicate inserts nothing and replays the stored response (or gets 422
// for a different payload). If the original rolls back, its key row vanishes
// with its balance change and the duplicate executes. Any number of service
// instances can share this: the database is the single source of truth.
const { results, serveBank } = require('./bank-routes');
const { runMain } = require('./server');
const { fraudCheck } = require('./remote');
const { openPool, withTransaction, isAccountId, createAccount, getAccount, conditionalMove, ACCOUNTS_DDL } = require('./pg');

const KEYS_DDL = `${ACCOUNTS_DDL};
CREATE TABLE IF NOT EXISTS idempotency_keys (
  account_id BIGINT NOT NULL REFERENCES accounts (id),
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status INTEGER,
  body JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, key))`;

async function openIdempotentPgBank(targetName) {
  const pool = await openPool(targetName, KEYS_DDL);

  async function operate(id, delta, ctx) {
    if (!isAccountId(id) || !(await getAccount(pool, id))) return results.notFound();
    const fingerprint = `${ctx.op}:${ctx.amount}`;
    if (ctx.key === null) {
      return withTransaction(pool, async (client) => {
        await fraudCheck(id, Math.abs(delta));
        return conditionalMove(client, id, delta);
      });
    }
    const executed = await withTransaction(pool, async (client) => {
      const claim = await client.query(
        `INSERT INTO idempotency_keys (account_id, key, fingerprint) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING RETURNING key`, [id, ctx.key, fingerprint]);
      if (!claim.rows.length) return null; // a committed row holds this key: replay below
      await fraudCheck(id, Math.abs(delta));
      const response = await conditionalMove(client, id, delta);
      await client.query(
        'UPDATE idempotency_keys SET status = $3, body = $4 WHERE account_id = $1 AND key = $2',
        [id, ctx.key, response.status, JSON.stringify(response.body)]);
      return response;
    });
    if (executed) return executed;
    const { rows } = await pool.query(
      'SELECT fingerprint, status, body FROM idempotency_keys WHERE account_id = $1 AND key = $2', [id, ctx.key]);
    if (!rows.length) return results.keyInFlight(); // cannot happen: rows are only deleted by hand
    if (rows[0].fingerprint !== fingerprint) return results.keyReused();
    if (rows[0].status === null) return results.keyInFlight();
    return { status: rows[0].status, body: rows[0].body };
  }

  const ops = {
    create: (balance) => createAccount(pool, balance),
    get: (id) => getAccount(pool, id),
    withdraw: (id, amount, ctx) => operate(id, -amount, ctx),
    deposit: (id, amount, ctx) => operate(id, amount, ctx),
  };
  return { pool, ops };
}

// Serves this bank from database `targetName` (see openPool), closing the pool on exit.
function serveIdempotentPgBank(targetName) {
  runMain(async () => {
    const { pool, ops } = await openIdempotentPgBank(targetName);
    serveBank(ops, { cleanup: () => pool.end() });
  });
}

module.exports = { openIdempotentPgBank, serveIdempotentPgBank };
