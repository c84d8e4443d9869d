'use strict';
// Correct: the version check and the write happen together, with no await in
// between, so of two writers holding the same ETag exactly one wins and the
// other gets 412 and retries on the new value.
const { serveVersionedKv, etagOf } = require('../lib/versioned-kv');
const { auditWrite } = require('../lib/remote');

serveVersionedKv(async (entry, expected, value) => {
  if (expected !== etagOf(entry)) return null;
  entry.value = value;
  entry.version += 1;
  const version = entry.version;
  await auditWrite({ value }); // after the write: the check-and-set above is already done
  return version;
});
