'use strict';
// The in-memory bank of the busy-lock targets: one global lock flag; a request
// that finds it taken is refused with 429 instead of waiting. The two targets
// differ in one word, `await`, so both variants stand here side by side:
//   busy-lock                 `return await` keeps the `finally` from running
//                             before the read-modify-write has finished;
//   busy-lock-early-release   the `return` hands back a promise without
//                             awaiting it, so the `finally` releases the lock
//                             as soon as the work has STARTED.
const { serveBank, results } = require('./bank-routes');
const { MemoryAccounts } = require('./memory-accounts');

function serveBusyLockedBank({ awaitTheWork }) {
  const accounts = new MemoryAccounts();
  let locked = false;

  async function underLock(id, delta) {
    if (!accounts.get(id)) return results.notFound();
    if (locked) return results.busy();
    locked = true;
    if (awaitTheWork) {
      try {
        return await accounts.readCheckAwaitWrite(id, delta);
      } finally {
        locked = false; // runs after the write: the await above waits for it
      }
    }
    try {
      return accounts.readCheckAwaitWrite(id, delta); // BUG: not awaited
    } finally {
      locked = false; // runs before the write above has happened
    }
  }

  serveBank(accounts.bankOps(underLock));
}

module.exports = { serveBusyLockedBank };
