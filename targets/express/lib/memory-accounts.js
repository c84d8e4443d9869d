'use strict';
// The in-memory account store of the bank targets whose balances live in
// process memory (`const accounts = new Map()` in a real service), and the two
// ways they move a balance. Which one a target calls, and what it puts around
// it (nothing, a busy flag, a mutex, a queue, an idempotency layer), is what
// makes that target safe or buggy; the store itself is the same everywhere.
const crypto = require('node:crypto');
const { results } = require('./bank-routes');
const { fraudCheck } = require('./remote');

class MemoryAccounts {
  constructor() {
    this.byId = new Map(); // id -> {id, balance}
  }

  create(balance) {
    const account = { id: crypto.randomUUID(), balance };
    this.byId.set(account.id, account);
    return account;
  }

  get(id) {
    return this.byId.get(id) ?? null;
  }

  // The fraud check is awaited first, then the balance is checked and
  // written in one synchronous step. Nothing can run between the check and the
  // write on Node's single thread, so this is safe without any lock.
  async checkThenSet(id, delta) {
    if (!this.byId.has(id)) return results.notFound();
    await fraudCheck(id, Math.abs(delta));
    const account = this.byId.get(id);
    if (account.balance + delta < 0) return results.insufficientFunds(account.balance);
    account.balance += delta;
    return results.applied(account, Math.abs(delta));
  }

  // Read, check, await the fraud check, write the value computed
  // from the read. Another request for the same account that runs during the
  // await makes `current` stale: safe only when the caller lets no other
  // movement of this account run meanwhile (a lock, a mutex, a serial queue).
  async readCheckAwaitWrite(id, delta) {
    const account = this.byId.get(id);
    if (!account) return results.notFound();
    const current = account.balance;
    if (current + delta < 0) return results.insufficientFunds(current);
    await fraudCheck(id, Math.abs(delta));
    account.balance = current + delta;
    return results.applied(account, Math.abs(delta));
  }

  // The `ops` object lib/bank-routes.js expects, with withdraw and deposit both
  // given to move(id, delta, ctx) (delta < 0 for a withdrawal).
  bankOps(move) {
    return {
      create: (balance) => this.create(balance),
      get: (id) => this.get(id),
      withdraw: (id, amount, ctx) => move(id, -amount, ctx),
      deposit: (id, amount, ctx) => move(id, amount, ctx),
    };
  }
}

module.exports = { MemoryAccounts };
