'use strict';
// Racy: the version is checked, then the service awaits a replication write,
// then stores the value. Two writers holding the same ETag both pass the check
// before either writes, so both PUTs succeed: a lost update (two withdrawals
// from one balance, one of them vanishes; a guard passed on a stale balance
// lets the account overdraw).
const { serveVersionedKv, etagOf } = require('../lib/versioned-kv');
const { auditWrite } = require('../lib/remote');

serveVersionedKv(async (entry, expected, value) => {
  if (expected !== etagOf(entry)) return null;
  await auditWrite({ value }); // BUG: the version checked above may be stale when we resume
  entry.value = value;
  entry.version += 1;
  const version = entry.version;
  return version;
});
