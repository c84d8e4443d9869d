'use strict';
// A form-encoded bank whose movements await the fraud check
// first, then check and write the balance in one synchronous step: nothing
// interleaves between them on Node's single thread, so it is safe.
const { serveFormBank } = require('../lib/form-bank');

serveFormBank((accounts, id, delta) => accounts.checkThenSet(id, delta));
