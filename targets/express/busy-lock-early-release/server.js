'use strict';
// A busy-lock gone wrong, as it is often written —
// `try { performCriticalWork() } finally { locked = false }` — around work that
// is async. The `return` hands back a promise without awaiting it, so the
// `finally` releases the lock as soon as the work has STARTED. The next request
// gets the lock while the first one is still awaiting its fraud check, and both
// read-modify-write the same balance: lost updates and overdrafts, with a lock
// that looks perfectly fine in review. The code is in lib/busy-lock.js, next
// to busy-lock's, from which it differs by one word: `await`.
const { serveBusyLockedBank } = require('../lib/busy-lock');

serveBusyLockedBank({ awaitTheWork: false });
