'use strict';
// Stand-ins for the remote calls a real service awaits in the middle of a
// request: a fraud check before moving money, an audit/ledger write, a
// warehouse or identity-provider service. Each is a real await of 2-8 ms, the
// latency of a call to another service in the same region. The await is what
// lets another request's handler run in between.

function latency(minMs = 2, maxMs = 8) {
  const ms = minMs + Math.random() * (maxMs - minMs);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function fraudCheck(/* accountId, amount */) {
  await latency();
  return { approved: true };
}

async function auditWrite(/* entry */) {
  await latency();
}

module.exports = { latency, fraudCheck, auditWrite };
