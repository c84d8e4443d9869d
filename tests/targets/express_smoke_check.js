'use strict';
// Checks one running Express target's API answers, request by request:
//   node express_smoke_check.js TARGET_DIR URL [URL2]
// TARGET_DIR holds expected.json (its "api", else its "model", picks the API family). Prints one
// line per failed expectation and exits 1 if any failed, 0 if all held.
const fs = require('node:fs');
const path = require('node:path');
const assert = require('node:assert/strict');

const [targetDir, ...urls] = process.argv.slice(2);
const expected = JSON.parse(fs.readFileSync(path.join(targetDir, 'expected.json'), 'utf8'));
const name = path.basename(targetDir);
// expected.json's "keys": which operations honour an Idempotency-Key, whether
// refusals are replayed ("every-response") or forgotten ("successes"), and how
// a reused key is refused ("draft": 422 key_reused; "express-idempotency": 417).
const keys = expected.keys ?? null;
const reusedKeyRefusal = {
  draft: { status: 422, fields: { error: 'key_reused' } },
  'express-idempotency': { status: 417, fields: { error: 'Misuse of the idempotency key. Please check your request.' } },
};

async function call(base, method, urlPath, body, headers = {}) {
  const res = await fetch(base + urlPath, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    signal: AbortSignal.timeout(5000),
  });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* checked by the caller */ }
  return { status: res.status, body: json, text };
}

function expectReply(what, reply, status, fields = {}) {
  assert.equal(reply.status, status, `${what}: status ${reply.status}, expected ${status} (body ${reply.text})`);
  assert.ok(reply.body && typeof reply.body === 'object', `${what}: body is not a JSON object: ${reply.text}`);
  for (const [k, v] of Object.entries(fields)) {
    assert.deepEqual(reply.body[k], v, `${what}: /${k} is ${JSON.stringify(reply.body[k])}, expected ${JSON.stringify(v)}`);
  }
  return reply.body;
}

async function bank() {
  const [a, b = urls[0]] = urls;
  const acct = expectReply('create account', await call(a, 'POST', '/accounts', { balance: 100 }), 201, { balance: 100 });
  assert.equal(typeof acct.id, 'string', 'create account: /id is not a string');
  const id = acct.id;
  const w = expectReply('withdraw 30', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 30 }), 200,
    { id, balance: 70, amount: 30 });
  assert.equal(typeof w.request_id, 'string', 'withdraw: /request_id is not a string');
  expectReply('withdraw 1000', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 1000 }), 409,
    { error: 'insufficient_funds', balance: 70 });
  expectReply('deposit 5', await call(a, 'POST', `/accounts/${id}/deposit`, { amount: 5 }), 200, { id, balance: 75, amount: 5 });
  expectReply('read (other instance when there are two)', await call(b, 'GET', `/accounts/${id}`), 200, { id, balance: 75 });
  expectReply('read unknown account', await call(a, 'GET', '/accounts/999999999'), 404, { error: 'not_found' });
  expectReply('withdraw from unknown account', await call(a, 'POST', '/accounts/999999999/withdraw', { amount: 1 }), 404);
  expectReply('withdraw amount 0', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 0 }), 400);
  // expected.json "input_bug": the hostile input a bank is known to accept, and
  // what it does with it; a strict bank refuses each of these with 400.
  const inputBug = expected.input_bug ?? null;
  if (inputBug !== 'parse-int') {
    expectReply('withdraw amount "5"', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: '5' }), 400);
  }
  const hostile = {
    negative: ['withdraw amount -5 (credits 5)', 'withdraw', -5, { amount: 5, balance: 80 }],
    'parse-int': ['withdraw amount "5abc" (executes 5)', 'withdraw', '5abc', { amount: 5, balance: 70 }],
    'unsafe-integer': ['deposit amount 2^53 + 1 (arrives as 2^53)', 'deposit', 2 ** 53 + 1, { amount: 2 ** 53, balance: 2 ** 53 + 75 }],
  };
  for (const [bug, [what, op, amount, result]] of Object.entries(hostile)) {
    // 2^53 + 1 written out: JSON.stringify would send the double it rounds to.
    const text = bug === 'unsafe-integer' ? '9007199254740993' : JSON.stringify(amount);
    const reply = await call(a, 'POST', `/accounts/${id}/${op}`, `{"amount":${text}}`);
    if (bug === inputBug) {
      expectReply(what, reply, 200, result);  // the last check of this bank: its balance is wrong from here on
    } else if (inputBug === null) {
      expectReply(`${what}: refused`, reply, 400);
    }
  }
  expectReply('malformed JSON', await call(a, 'POST', `/accounts/${id}/deposit`, '{"amount":'), 400);
  expectReply('negative opening balance', await call(a, 'POST', '/accounts', { balance: -1 }), 400);
  if (keys) {
    const key = { 'Idempotency-Key': `smoke-${Date.now()}` };
    const first = expectReply('keyed withdraw 10', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 10 }, key), 200,
      { balance: 65, amount: 10 });
    const replay = expectReply('replay of the keyed withdraw', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 10 }, key), 200);
    assert.deepEqual(replay, first, 'replay: response differs from the original');
    const reused = reusedKeyRefusal[keys.refusals];
    expectReply('key reused with amount 11', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 11 }, key),
      reused.status, reused.fields);
    const refusalKey = { 'Idempotency-Key': `smoke-refusal-${Date.now()}` };
    const refusal = expectReply('keyed withdraw 1000', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 1000 }, refusalKey), 409,
      { error: 'insufficient_funds' });
    await call(a, 'POST', `/accounts/${id}/deposit`, { amount: 2000 });
    const retry = await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: 1000 }, refusalKey);
    if (keys.replays === 'every-response') {
      const refusalReplay = expectReply('replay of the refused withdraw', retry, 409);
      assert.deepEqual(refusalReplay, refusal, 'refusal replay: response differs from the original');
      expectReply('read after keyed ops', await call(a, 'GET', `/accounts/${id}`), 200, { balance: 2065 });
    } else {
      // The refusal was forgotten: the retry executes, now with the money there.
      expectReply('retry of the refused withdraw (refusals not stored)', retry, 200, { amount: 1000, balance: 1065 });
      expectReply('read after keyed ops', await call(a, 'GET', `/accounts/${id}`), 200, { balance: 1065 });
    }
  }
}

async function users() {
  const [a] = urls;
  const team = expectReply('create team', await call(a, 'POST', '/teams'), 201).id;
  const alice = expectReply('create alice', await call(a, 'POST', `/teams/${team}/users`, { name: 'alice' }), 201,
    { name: 'alice', team });
  expectReply('create alice again', await call(a, 'POST', `/teams/${team}/users`, { name: 'alice' }), 409, { error: 'exists' });
  expectReply('look up alice', await call(a, 'GET', `/teams/${team}/users?name=alice`), 200, { exists: true, count: 1 });
  expectReply('look up bob', await call(a, 'GET', `/teams/${team}/users?name=bob`), 200, { exists: false, count: 0 });
  expectReply('read alice by id', await call(a, 'GET', `/users/${alice.id}`), 200, { name: 'alice', team });
  const global = `smoke${Date.now()}`;
  expectReply('create in the default team', await call(a, 'POST', '/users', { name: global }), 201, { name: global, team: 'default' });
  expectReply('look up in the default team', await call(a, 'GET', `/users?name=${global}`), 200, { exists: true, count: 1 });
  expectReply('bad name', await call(a, 'POST', '/users', { name: 'no spaces allowed' }), 400);
  expectReply('unknown team', await call(a, 'POST', '/teams/nope/users', { name: 'alice' }), 404);
  expectReply('unknown user', await call(a, 'GET', '/users/nope'), 404);
}

async function inventory() {
  const [a] = urls;
  const item = expectReply('create item', await call(a, 'POST', '/items', { stock: 5 }), 201, { stock: 5 });
  const id = item.id;
  const r = expectReply('reserve 2', await call(a, 'POST', `/items/${id}/reserve`, { qty: 2 }), 200, { id, stock: 3, qty: 2 });
  assert.equal(typeof r.reservation_id, 'string', 'reserve: /reservation_id is not a string');
  expectReply('reserve 10', await call(a, 'POST', `/items/${id}/reserve`, { qty: 10 }), 409, { error: 'out_of_stock', stock: 3 });
  expectReply('release 1', await call(a, 'POST', `/items/${id}/release`, { qty: 1 }), 200, { id, stock: 4, qty: 1 });
  expectReply('release 10', await call(a, 'POST', `/items/${id}/release`, { qty: 10 }), 409, { error: 'nothing_reserved', reserved: 1 });
  expectReply('read item', await call(a, 'GET', `/items/${id}`), 200, { id, stock: 4 });
  expectReply('unknown item', await call(a, 'GET', '/items/nope'), 404);
  expectReply('reserve qty -1', await call(a, 'POST', `/items/${id}/reserve`, { qty: -1 }), 400);
}

async function counter() {
  const [a] = urls;
  assert.equal((await call(a, 'POST', '/reset')).status, 204, 'reset: expected 204');
  expectReply('increment', await call(a, 'POST', '/counter/increment'), 200, { value: 1 });
  expectReply('read counter', await call(a, 'GET', '/counter'), 200, { value: 1 });
}

async function set() {
  const [a] = urls;
  assert.equal((await call(a, 'POST', '/reset')).status, 204, 'reset: expected 204');
  expectReply('add 3', await call(a, 'POST', '/set/add', { value: 3 }), 200);
  expectReply('add 3 again', await call(a, 'POST', '/set/add', { value: 3 }), 200);
  expectReply('read set', await call(a, 'GET', '/set'), 200, { value: [3] });
  expectReply('add text', await call(a, 'POST', '/set/add', { value: 'x' }), 400);
}

// The replicated store: a write to the leader (#0) reaches the follower (#1)
// within the replication delay; a reset clears both.
async function register() {
  const [leader, follower] = urls;
  assert.equal((await call(leader, 'POST', '/reset')).status, 204, 'reset: expected 204');
  expectReply('read unwritten', await call(follower, 'GET', '/kv/x'), 200, { value: null });
  expectReply('write', await call(leader, 'PUT', '/kv/x', { value: 7 }), 200, { value: 7 });
  expectReply('read leader', await call(leader, 'GET', '/kv/x'), 200, { value: 7 });
  let replicated = null;
  for (let i = 0; i < 100 && replicated !== 7; i += 1) {
    replicated = (await call(follower, 'GET', '/kv/x')).body?.value;
    if (replicated !== 7) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(replicated, 7, 'the follower never saw the write');
  assert.equal((await call(leader, 'POST', '/reset')).status, 204, 'second reset: expected 204');
  expectReply('read follower after reset', await call(follower, 'GET', '/kv/x'), 200, { value: null });
}

// gRPC-gateway JSON: int64 as strings both ways, a bytes memo as base64.
async function grpcGateway() {
  const [a] = urls;
  const acct = expectReply('create account', await call(a, 'POST', '/v1/accounts', { balance: '100' }), 200, { balance: '100' });
  const id = acct.id;
  expectReply('withdraw "30" with a memo', await call(a, 'POST', `/v1/accounts/${id}:withdraw`, { amount: '30', memo: '/wA=' }),
    200, { balance: '70', amount: '30', memo: '/wA=' });
  expectReply('withdraw "1000"', await call(a, 'POST', `/v1/accounts/${id}:withdraw`, { amount: '1000' }), 400, { code: 9 });
  expectReply('deposit "5"', await call(a, 'POST', `/v1/accounts/${id}:deposit`, { amount: '5', memo: '' }), 200, { balance: '75' });
  expectReply('read', await call(a, 'GET', `/v1/accounts/${id}`), 200, { id, balance: '75' });
  expectReply('amount as a number', await call(a, 'POST', `/v1/accounts/${id}:withdraw`, { amount: 5 }), 400, { code: 3 });
  expectReply('memo not base64', await call(a, 'POST', `/v1/accounts/${id}:withdraw`, { amount: '5', memo: '%%' }), 400, { code: 3 });
  expectReply('unknown account', await call(a, 'GET', '/v1/accounts/nope'), 404, { code: 5 });
}

// Form-encoded requests; numbers come back as strings (plain text for a deposit).
async function form() {
  const [a] = urls;
  const formHeader = { 'content-type': 'application/x-www-form-urlencoded' };
  const acct = expectReply('create account', await call(a, 'POST', '/accounts', 'balance=100', formHeader), 201, { balance: '100' });
  const id = acct.id;
  expectReply('withdraw 30', await call(a, 'POST', '/withdraw', `account=${id}&amount=30`, formHeader), 200, { balance: '70' });
  expectReply('withdraw 1000', await call(a, 'POST', '/withdraw', `account=${id}&amount=1000`, formHeader), 409,
    { error: 'insufficient_funds' });
  const deposit = await call(a, 'POST', '/deposit', `account=${id}&amount=5`, formHeader);
  assert.equal(deposit.status, 200, `deposit 5: status ${deposit.status} (body ${deposit.text})`);
  assert.equal(deposit.text, 'balance=75\n', `deposit 5: body ${JSON.stringify(deposit.text)}`);
  expectReply('read', await call(a, 'GET', `/balance?account=${encodeURIComponent(id)}`), 200, { account: id, balance: '75' });
  expectReply('withdraw sent as JSON', await call(a, 'POST', '/withdraw', { account: id, amount: 1 }), 415);
  expectReply('unknown account', await call(a, 'POST', '/withdraw', 'account=nope&amount=1', formHeader), 404);
}

// A versioned key-value store: ETag versions, PUT If-Match, 412 on a stale version.
async function kvCas() {
  const [a] = urls;
  const created = await call(a, 'POST', '/kv', { value: 100 });
  const key = expectReply('create key', created, 201, { value: 100 }).key;
  assert.equal(typeof key, 'string', 'create key: /key is not a string');
  const read = await fetch(`${a}/kv/${key}`, { signal: AbortSignal.timeout(5000) });
  const etag = read.headers.get('etag');
  assert.ok(etag, 'read: no ETag header');
  const put = (value, headers) => call(a, 'PUT', `/kv/${key}`, { value }, headers);
  expectReply('write with the read ETag', await put(70, { 'If-Match': etag }), 200, { value: 70 });
  expectReply('write with a stale ETag', await put(50, { 'If-Match': etag }), 412, { error: 'precondition_failed' });
  expectReply('write without If-Match', await put(50), 428);
  expectReply('read after the writes', await call(a, 'GET', `/kv/${key}`), 200, { value: 70 });
  expectReply('unknown key', await call(a, 'GET', '/kv/nope'), 404);
}

// Money with cents as decimal strings. The exact bank answers decimal strings;
// the float bank answers the JavaScript number its arithmetic produced.
async function decimal() {
  const [a] = urls;
  const exact = expected.expected === 'safe';
  const acct = expectReply('create account', await call(a, 'POST', '/accounts', { balance: '1.00' }), 201,
    { balance: exact ? '1.00' : 1 });
  const id = acct.id;
  expectReply('withdraw "0.90"', await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: '0.90' }), 200,
    { balance: exact ? '0.10' : 1 - 0.9 });
  const last = await call(a, 'POST', `/accounts/${id}/withdraw`, { amount: '0.10' });
  if (exact) expectReply('withdraw the last "0.10"', last, 200, { balance: '0.00' });
  else expectReply('withdraw the last "0.10" (0.09999999999999998 left)', last, 409, { error: 'insufficient_funds' });
  expectReply('deposit "0.20"', await call(a, 'POST', `/accounts/${id}/deposit`, { amount: '0.20' }), 200,
    { balance: exact ? '0.20' : 1 - 0.9 + 0.2 });
  expectReply('amount as a number', await call(a, 'POST', `/accounts/${id}/deposit`, { amount: 5 }), 400);
  expectReply('three places', await call(a, 'POST', `/accounts/${id}/deposit`, { amount: '0.001' }), 400);
  expectReply('unknown account', await call(a, 'GET', '/accounts/nope'), 404);
}

const families = {
  account: bank, 'unique-create': users, inventory, counter, set, register,
  'grpc-gateway': grpcGateway, form, 'kv-cas': kvCas, decimal,
};
families[expected.api ?? expected.model]().then(
  () => process.exit(0),
  (err) => { console.error(`${name}: ${err.message}`); process.exit(1); });
