'use strict';
// PostgreSQL plumbing for the pg targets. The connection comes from the usual
// PGHOST/PGPORT/PGUSER/PGDATABASE environment (scripts/pg.sh prints them).
// Each target keeps its tables in its own schema, so several targets can share
// one throwaway cluster; the schema is created under an advisory lock because
// two instances of a multi-instance target start against the same database.
const { Pool } = require('pg');
const { results } = require('./bank-routes');

function requireEnv() {
  const missing = ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE'].filter((k) => !process.env[k]);
  if (missing.length) {
    console.error(`missing ${missing.join(', ')}: start a cluster with scripts/pg.sh start DIR and eval its output`);
    process.exit(2);
  }
}

async function openPool(targetName, tablesDdl) {
  requireEnv();
  if (!/^[a-z][a-z0-9_]*$/.test(targetName)) throw new Error(`bad target name '${targetName}'`);
  const schema = `target_${targetName}`; // schemas named pg_* are reserved
  const pool = new Pool({
    max: 20,
    connectionTimeoutMillis: 5000,
    options: `-c search_path=${schema}`,
  });
  pool.on('error', (err) => console.error('idle pg client error:', err.message));
  await withTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(tablesDdl);
  });
  return pool;
}

const ACCOUNTS_DDL = `CREATE TABLE IF NOT EXISTS accounts (
  id BIGSERIAL PRIMARY KEY,
  balance BIGINT NOT NULL)`;

// BEGIN ... COMMIT around fn(client); ROLLBACK if it throws.
async function withTransaction(pool, fn, isolation = 'READ COMMITTED') {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

// Account ids are BIGSERIALs; anything else in the URL is an unknown account,
// not a database error.
function isAccountId(id) {
  return /^[1-9][0-9]{0,17}$/.test(id);
}

async function createAccount(pool, balance) {
  const { rows } = await pool.query('INSERT INTO accounts (balance) VALUES ($1) RETURNING id, balance', [balance]);
  return rows[0];
}

async function getAccount(pool, id) {
  if (!isAccountId(id)) return null;
  const { rows } = await pool.query('SELECT id, balance FROM accounts WHERE id = $1', [id]);
  return rows[0] ?? null;
}

// Check and write in one conditional statement, so no other
// transaction's update can fall between them (no lost update, no overdraft).
// `db` is a pool or a client inside a transaction.
async function conditionalMove(db, id, delta) {
  if (!isAccountId(id)) return results.notFound();
  const { rows } = await db.query(
    'UPDATE accounts SET balance = balance + $2 WHERE id = $1 AND balance + $2 >= 0 RETURNING id, balance',
    [id, delta]);
  if (rows.length) return results.applied(rows[0], Math.abs(delta));
  const current = await db.query('SELECT balance FROM accounts WHERE id = $1', [id]);
  return current.rows.length ? results.insufficientFunds(current.rows[0].balance) : results.notFound();
}

module.exports = { openPool, withTransaction, isAccountId, createAccount, getAccount, conditionalMove, ACCOUNTS_DDL };
