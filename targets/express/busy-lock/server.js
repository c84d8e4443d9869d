'use strict';
// A busy-lock: one global lock flag; a request that finds it taken is refused
// with 429 instead of waiting. The read-modify-write around the awaited fraud
// check is only safe because the lock stays held until the work has finished:
// `return await` keeps the `finally` from running before the promise settles
// (lib/busy-lock.js, next to the variant without the `await`).
const { serveBusyLockedBank } = require('../lib/busy-lock');

serveBusyLockedBank({ awaitTheWork: true });
