'use strict';
// Demonstrates a target's race by hand: one burst of N concurrent requests
// against a fresh account (or item, or user name), then a read, and a plain
// account of what should have happened versus what did.
//
//   node race-demo.js bank URL [URL2] [--n 16]      withdraw 30 x N from N*15 (half
//                                                   can succeed), then deposit 10 x N
//   node race-demo.js idem URL [URL2] [--n 16]      N withdrawals of 10 sharing one
//                                                   Idempotency-Key (alternating URLs)
//   node race-demo.js idem-refusal URL [URL2] [--n 16]
//                                                   N keyed withdrawals of 10 from 0
//                                                   (refused), a deposit of 10 x N, then
//                                                   a retry of each with its key
//   node race-demo.js users URL [--n 16]            N creations of one user name
//   node race-demo.js inventory URL [--n 16]        reserve 1 x N from stock N/2
//
// Exit 0 when the invariant held, 1 when it was broken, 2 on usage/HTTP errors.
const crypto = require('node:crypto');

const argv = process.argv.slice(2);
const nAt = argv.indexOf('--n');
const n = nAt >= 0 ? Number(argv.splice(nAt, 2)[1]) : 16;
const [kind, ...urls] = argv;
if (!kind || urls.length === 0 || !Number.isInteger(n) || n < 2) {
  console.error('usage: node race-demo.js bank|idem|idem-refusal|users|inventory URL [URL2] [--n N]');
  process.exit(2);
}

async function call(base, method, path, body, headers = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10000),
  });
  return { status: res.status, body: await res.json() };
}

// Opens n keep-alive connections per URL first, so that the burst that follows
// reuses them and its requests reach the server together instead of being
// spread out by connection set-up.
async function warmUp(readPath) {
  await Promise.all(urls.flatMap((u) => Array.from({ length: n }, () => call(u, 'GET', readPath))));
}

function tally(responses) {
  const counts = {};
  for (const r of responses) {
    const k = `${r.status}${r.body.error ? ' ' + r.body.error : ''}`;
    counts[k] = (counts[k] || 0) + 1;
  }
  return JSON.stringify(counts);
}

async function bank() {
  const initial = 15 * n;
  const acct = await call(urls[0], 'POST', '/accounts', { balance: initial });
  const id = acct.body.id;
  await warmUp(`/accounts/${id}`);
  const withdrawals = await Promise.all(Array.from({ length: n }, (_, i) =>
    call(urls[i % urls.length], 'POST', `/accounts/${id}/withdraw`, { amount: 30 })));
  const afterWithdraw = (await call(urls[0], 'GET', `/accounts/${id}`)).body.balance;
  const okW = withdrawals.filter((r) => r.status === 200).length;
  const deposits = await Promise.all(Array.from({ length: n }, (_, i) =>
    call(urls[i % urls.length], 'POST', `/accounts/${id}/deposit`, { amount: 10 })));
  const okD = deposits.filter((r) => r.status === 200).length;
  const final = (await call(urls[0], 'GET', `/accounts/${id}`)).body.balance;
  const expectedAfterW = initial - 30 * okW;
  const expectedFinal = expectedAfterW + 10 * okD;
  console.log(`withdraw 30 x ${n} from ${initial}: ${tally(withdrawals)}; balance ${afterWithdraw}, conservation says ${expectedAfterW}`);
  console.log(`deposit 10 x ${n}: ${tally(deposits)}; balance ${final}, conservation says ${expectedFinal}`);
  const broken = afterWithdraw < 0 || afterWithdraw !== expectedAfterW || final !== expectedFinal;
  if (afterWithdraw < 0) console.log('VIOLATION: overdraft (negative balance)');
  if (afterWithdraw !== expectedAfterW || final !== expectedFinal) console.log('VIOLATION: conservation (lost update or phantom money)');
  return broken;
}

async function idem() {
  const acct = await call(urls[0], 'POST', '/accounts', { balance: 1000 });
  const id = acct.body.id;
  await warmUp(`/accounts/${id}`);
  const key = crypto.randomUUID();
  const replies = await Promise.all(Array.from({ length: n }, (_, i) =>
    call(urls[i % urls.length], 'POST', `/accounts/${id}/withdraw`, { amount: 10 }, { 'Idempotency-Key': key })));
  const final = (await call(urls[0], 'GET', `/accounts/${id}`)).body.balance;
  const executions = new Set(replies.filter((r) => r.status === 200).map((r) => r.body.request_id));
  console.log(`${n} withdrawals of 10 with one key: ${tally(replies)}; distinct executions ${executions.size}; balance 1000 -> ${final}`);
  const broken = executions.size > 1 || 1000 - final > 10;
  if (broken) console.log(`VIOLATION: one key charged ${(1000 - final) / 10} times`);
  return broken;
}

// A refused request must stay refused when retried with its key (the stored
// response is replayed), even after the account has been funded.
async function idemRefusal() {
  const acct = await call(urls[0], 'POST', '/accounts', { balance: 0 });
  const id = acct.body.id;
  const keys = Array.from({ length: n }, () => ({ 'Idempotency-Key': crypto.randomUUID() }));
  const withdraw = (i) => call(urls[i % urls.length], 'POST', `/accounts/${id}/withdraw`, { amount: 10 }, keys[i]);
  const firsts = await Promise.all(keys.map((_, i) => withdraw(i)));
  await call(urls[0], 'POST', `/accounts/${id}/deposit`, { amount: 10 * n });
  const retries = await Promise.all(keys.map((_, i) => withdraw(i + 1)));
  const final = (await call(urls[0], 'GET', `/accounts/${id}`)).body.balance;
  const changed = retries.filter((r, i) => r.status !== firsts[i].status).length;
  console.log(`${n} keyed withdrawals of 10 from 0: ${tally(firsts)}; deposit ${10 * n}; retries with the same keys: ` +
    `${tally(retries)}; balance ${final}`);
  if (changed) console.log(`VIOLATION: ${changed} refusals not replayed (the retry executed; balance ${10 * n} -> ${final})`);
  return changed > 0;
}

async function users() {
  const name = `user-${crypto.randomUUID().slice(0, 8)}`;
  await warmUp(`/users?name=${name}`);
  const replies = await Promise.all(Array.from({ length: n }, () => call(urls[0], 'POST', '/users', { name })));
  const listed = (await call(urls[0], 'GET', `/users?name=${encodeURIComponent(name)}`)).body;
  const created = replies.filter((r) => r.status === 201).length;
  console.log(`${n} creations of '${name}': ${tally(replies)}; users listed with that name: ${listed.count}`);
  const broken = created > 1 || listed.count > 1;
  if (broken) console.log(`VIOLATION: ${created} users created with one unique name`);
  return broken;
}

async function inventory() {
  const stock = Math.floor(n / 2);
  const item = await call(urls[0], 'POST', '/items', { stock });
  const id = item.body.id;
  await warmUp(`/items/${id}`);
  const replies = await Promise.all(Array.from({ length: n }, () => call(urls[0], 'POST', `/items/${id}/reserve`, { qty: 1 })));
  const final = (await call(urls[0], 'GET', `/items/${id}`)).body.stock;
  const reserved = replies.filter((r) => r.status === 200).length;
  console.log(`reserve 1 x ${n} from stock ${stock}: ${tally(replies)}; stock left ${final}`);
  const broken = reserved > stock || final < 0 || final !== stock - reserved;
  if (broken) console.log(`VIOLATION: ${reserved} reserved from a stock of ${stock}, ${final} left (oversold)`);
  return broken;
}

const demos = { bank, idem, 'idem-refusal': idemRefusal, users, inventory };
if (!demos[kind]) { console.error(`unknown demo '${kind}'`); process.exit(2); }
demos[kind]().then((broken) => process.exit(broken ? 1 : 0), (err) => { console.error(err); process.exit(2); });
