'use strict';
// Opens the SQLite database of a better-sqlite3 target: SQLITE_PATH, or a
// private in-memory database. WAL and a busy timeout so that several processes
// can share one file.
const Database = require('better-sqlite3');

function openAccounts() {
  const db = new Database(process.env.SQLITE_PATH || ':memory:');
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`CREATE TABLE IF NOT EXISTS accounts (
             id INTEGER PRIMARY KEY AUTOINCREMENT,
             balance INTEGER NOT NULL)`);
  return db;
}

module.exports = { openAccounts };
