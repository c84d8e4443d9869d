'use strict';
// Writes every target's racecheck spec (<target>/spec.json) from the three API
// families below, so that the specs stay alike and differ only where the
// targets do (idempotency keys, instances). Run it after changing a template:
//   node targets/express/write-specs.js
// Which operations honour an Idempotency-Key, and how a target refuses a
// duplicate, come from the "keys" object of its expected.json. Every operation
// says whether it takes a key ("idempotency": "optional" when the target
// honours one, "none" otherwise), so racecheck sends keys only where a key
// means something.
// Base URLs are placeholders: `racecheck run SPEC --target URL [--target URL2]`
// replaces them with the URLs launch.sh prints. Format: docs/spec.md.
const fs = require('node:fs');
const path = require('node:path');

const PLACEHOLDER_URL = 'http://127.0.0.1:0';

// Statuses every operation of every family may answer besides its own.
const commonRules = [
  { status: 400, outcome: 'fail', error: 'bad-request' },
  { status: 404, outcome: 'fail', error: 'not-found' },
  { status: 429, outcome: 'fail', error: 'busy' },
  { status: '5xx', outcome: 'info', error: 'server-error' },
];
// How a target answers a duplicate in flight and a key reused with another
// payload: "draft" is the IETF Idempotency-Key draft's 409/422 with the bank
// API's error codes; "express-idempotency" is that middleware's 409 and 417
// with the message of the Error it passes to next().
const keyRefusals = {
  draft: [
    { status: 409, body: { pointer: '/error', equals: 'key_in_flight' }, outcome: 'fail', error: 'key-in-flight' },
    { status: 422, body: { pointer: '/error', equals: 'key_reused' }, outcome: 'fail', error: 'key-reused' },
  ],
  'express-idempotency': [
    { status: 409, body: { regex: 'still in progress' }, outcome: 'fail', error: 'key-in-flight' },
    { status: 417, body: { regex: 'Misuse of the idempotency key' }, outcome: 'fail', error: 'key-reused' },
  ],
};

// The generator settings every family shares; keyed targets also get
// duplicates, replays, reused keys, retries and lost responses (targets without
// keys are not asked to deduplicate).
function generator(opMix, amount, keyed) {
  return {
    clients: [2, 8],
    ops_per_client: [1, 3],
    accounts: 1,
    op_mix: opMix,
    amount,
    key_policy: keyed
      ? { none: 1, fresh: 2, 'concurrent-duplicate': 4, 'sequential-replay': 1, 'different-payload': 1 }
      : { none: 1 },
    retry_max_attempts: keyed ? 3 : 1,
    lost_response_probability: keyed ? 0.1 : 0,
    release: { burst: 4, staggered: 1 },
    stagger_us: [0, 2000],
    delay_us: 0,
    trials: 200,
    budget_s: 20,
  };
}

// The top of every spec: comment, name, instances and request settings.
function specHead(name, expected, note = '') {
  return {
    $comment: `Express target ${name} (expected ${expected.expected}): ${expected.why}${note}`,
    name: `express ${name}`,
    base_urls: Array.from({ length: expected.instances ?? 1 }, () => PLACEHOLDER_URL),
    distribution: 'round-robin',
    request: { timeout_ms: 5000, max_body_bytes: 65536 },
    headers: { Accept: 'application/json' },
  };
}

function keyRulesOf(name, keys) {
  if (!keys) return [];
  const rules = keyRefusals[keys.refusals];
  if (!rules) throw new Error(`${name}/expected.json: /keys/refusals: unknown '${keys.refusals}' (expected one of: ${Object.keys(keyRefusals).join(', ')})`);
  return rules;
}

function takesKey(keys, op) {
  return keys && keys.honoured_by.includes(op) ? 'optional' : 'none';
}

function bankSpec(name, expected) {
  const { keys } = expected;
  const idempotent = Boolean(keys);
  const moneyOp = (op, refusal) => ({
    method: 'POST',
    path: `/accounts/{account}/${op}`,
    idempotency: takesKey(keys, op),
    body: { amount: '{amount}' },
    classify: [
      { status: 200, outcome: 'ok' },
      ...(refusal ? [refusal] : []),
      ...(keys && keys.honoured_by.includes(op) ? keyRulesOf(name, keys) : []),
      ...commonRules,
    ],
    extract: { balance: '/balance' },
  });
  return {
    ...specHead(name, expected),
    idempotency_header: 'Idempotency-Key',
    accounts: createdAccounts(100, 'create account', '/accounts', 'balance'),
    operations: {
      withdraw: moneyOp('withdraw',
        { status: 409, body: { pointer: '/error', equals: 'insufficient_funds' }, outcome: 'fail', error: 'insufficient-funds' }),
      deposit: moneyOp('deposit', null),
      read: readOp('/accounts/{account}', 'balance'),
    },
    final_read: { operation: 'read', instance: 0 },
    model: 'account',
    invariants: idempotent
      ? ['no-overdraft', 'conservation', 'idempotency', 'linearizability']
      : ['no-overdraft', 'conservation', 'linearizability'],
    generator: generator({ withdraw: 6, deposit: 2, read: 1 }, [1, 100], idempotent),
  };
}

// One account (an item for the inventory family) created by POST `createPath`
// with its opening `quantity` (balance or stock), which the models start from.
function createdAccounts(initialBalance, setupName, createPath, quantity) {
  return {
    count: 1,
    initial_balance: initialBalance,
    setup: [{
      name: setupName,
      method: 'POST',
      path: createPath,
      body: { [quantity]: '{initial_balance}' },
      expect_status: 201,
      capture: { id: '/id', [`opening_${quantity}`]: `/${quantity}` },
    }],
    id: '{id}',
    balance_variable: `opening_${quantity}`,
  };
}

// GET `readPath` answering the account's `quantity`: the final read.
function readOp(readPath, quantity) {
  return {
    method: 'GET',
    path: readPath,
    idempotency: 'none',
    classify: [{ status: 200, outcome: 'ok' }, ...commonRules],
    extract: { [quantity]: `/${quantity}` },
  };
}

function usersSpec(name, expected) {
  return {
    ...specHead(name, expected, ' Each trial registers names in a fresh team, so every name starts free. There is no read operation: ' +
      'the final read may only take {account}, and two successful creations of one name already break the model.'),
    accounts: {
      count: 1,
      initial_balance: 0,
      setup: [{ name: 'create team', method: 'POST', path: '/teams', expect_status: 201, capture: { id: '/id' } }],
      id: '{id}',
    },
    operations: {
      create: {
        method: 'POST',
        path: '/teams/{account}/users',
        idempotency: 'none',
        body: { name: '{name}' },
        classify: [
          { status: 201, outcome: 'ok' },
          { status: 409, body: { pointer: '/error', equals: 'exists' }, outcome: 'fail', error: 'exists' },
          ...commonRules,
        ],
        extract: { user_id: '/id' },
      },
    },
    model: 'unique-create',
    invariants: ['linearizability'],
    generator: generator({ create: 1 }, undefined, false),
  };
}

function inventorySpec(name, expected) {
  const qtyOp = (op, refusal) => ({
    method: 'POST',
    path: `/items/{account}/${op}`,
    idempotency: 'none',
    body: { qty: '{quantity}' },
    classify: [{ status: 200, outcome: 'ok' }, refusal, ...commonRules],
    extract: { stock: '/stock' },
  });
  return {
    ...specHead(name, expected, ' The "account" is an item; its initial stock is the initial balance.'),
    accounts: createdAccounts(10, 'create item', '/items', 'stock'),
    operations: {
      reserve: qtyOp('reserve',
        { status: 409, body: { pointer: '/error', equals: 'out_of_stock' }, outcome: 'fail', error: 'out-of-stock' }),
      release: qtyOp('release',
        { status: 409, body: { pointer: '/error', equals: 'nothing_reserved' }, outcome: 'fail', error: 'nothing-reserved' }),
      read: readOp('/items/{account}', 'stock'),
    },
    final_read: { operation: 'read', instance: 0 },
    model: 'inventory',
    invariants: ['no-overdraft', 'conservation', 'linearizability'],
    generator: generator({ reserve: 6, release: 1, read: 1 }, [1, 4], false),
  };
}

// The reset every counter, set and key-value trial starts from: no accounts,
// one resource (the counter, the set, or key "x" of the store).
const resetSetup = [{ name: 'reset', method: 'POST', path: '/reset', expect_status: 204 }];
const valueRead = (readPath, extra = {}) => ({ ...readOp(readPath, 'value'), ...extra });

function counterSpec(name, expected) {
  return {
    ...specHead(name, expected),
    setup: resetSetup,
    operations: {
      increment: {
        method: 'POST', path: '/counter/increment', idempotency: 'none',
        classify: [{ status: 200, outcome: 'ok' }, ...commonRules],
      },
      read: valueRead('/counter'),
    },
    model: 'counter',
    invariants: ['linearizability'],
    generator: generator({ increment: 4, read: 1 }, undefined, false),
  };
}

function setSpec(name, expected) {
  return {
    ...specHead(name, expected),
    setup: resetSetup,
    operations: {
      add: {
        method: 'POST', path: '/set/add', idempotency: 'none', body: { value: '{value}' },
        classify: [{ status: 200, outcome: 'ok' }, ...commonRules],
      },
      read: valueRead('/set'),
    },
    model: 'set',
    invariants: ['linearizability'],
    generator: generator({ add: 4, read: 1 }, [1, 1000], false),
  };
}

// A register over key "x" of a replicated store: base URL #0 is the leader
// (setup resets it, and it resets its follower), #1 the follower. Writes go to
// the leader; expected.json's "reads_from" says where the scenario's reads go.
// The final read is a separate read from the leader.
function replicatedKvSpec(name, expected) {
  const readsFrom = { leader: 0, follower: 1 }[expected.reads_from];
  if (readsFrom === undefined) throw new Error(`${name}/expected.json: /reads_from: expected "leader" or "follower"`);
  return {
    ...specHead(name, expected, ' Base URL #0 is the leader, #1 its follower.'),
    setup: resetSetup,
    accounts: { id: 'x' },
    operations: {
      write: {
        method: 'PUT', path: '/kv/{resource}', idempotency: 'none', instance: 0, body: { value: '{value}' },
        classify: [{ status: 200, outcome: 'ok' }, ...commonRules],
      },
      read: valueRead('/kv/{resource}', { instance: readsFrom }),
      leader_read: valueRead('/kv/{resource}', { as: 'read', instance: 0 }),
    },
    final_read: { operation: 'leader_read' },
    model: 'register',
    invariants: ['linearizability'],
    generator: generator({ write: 1, read: 1 }, [1, 1000], false),
  };
}

// The bank in other API styles (expected.json "api"): typed arguments, value
// conversions and body encodings (docs/spec.md, "Arguments" to "Bodies and query").
const balanceAsString = { balance: { pointer: '/balance', convert: ['integer'] } };

function styledBankSpec(name, expected, api) {
  const insufficient = api.insufficient;
  const moneyOp = (op) => ({
    ...api.moneyRequest(op),
    idempotency: 'none',
    classify: [{ status: 200, outcome: 'ok' }, ...(op === 'withdraw' ? [insufficient] : []), ...api.rules],
    ...(op === 'withdraw' || api.depositAnswersJson ? { extract: api.balance ?? balanceAsString } : {}),
  });
  return {
    ...specHead(name, expected),
    ...(api.money ? { money: api.money } : {}),
    arguments: api.arguments,
    accounts: {
      count: 1,
      initial_balance: 100,
      setup: [{ name: 'create account', method: 'POST', ...api.createRequest, expect_status: api.createStatus, capture: { id: '/id' } }],
      id: '{id}',
    },
    operations: {
      withdraw: moneyOp('withdraw'),
      deposit: moneyOp('deposit'),
      read: { ...api.readRequest, idempotency: 'none', classify: [{ status: 200, outcome: 'ok' }, ...api.rules], extract: api.balance ?? balanceAsString },
    },
    final_read: { operation: 'read', instance: 0 },
    model: 'account',
    invariants: ['no-overdraft', 'conservation', 'linearizability', ...(api.money ? ['exact-money'] : [])],
    generator: generator({ withdraw: 6, deposit: 2, read: 1 }, undefined, false),
  };
}

const apiStyles = {
  // Money with cents: decimal strings on the wire ("10.10"), the balance as the
  // service answers it (a JSON number or a decimal string), recorded exactly
  // in cents ("money": {"scale": 2}, docs/spec.md "Money").
  decimal: {
    money: { scale: 2 },
    balance: { balance: { pointer: '/balance' } },
    arguments: { amount: { type: 'decimal', scale: 2, min: '0.01', max: '50.00' } },
    createRequest: { path: '/accounts', body: { balance: '{initial_balance|string}' } },
    createStatus: 201,
    moneyRequest: (op) => ({ method: 'POST', path: `/accounts/{account}/${op}`, body: { amount: '{amount}' } }),
    depositAnswersJson: true,
    readRequest: { method: 'GET', path: '/accounts/{account}' },
    insufficient: { status: 409, body: { pointer: '/error', equals: 'insufficient_funds' }, outcome: 'fail', error: 'insufficient-funds' },
    rules: [
      { status: 400, outcome: 'fail', error: 'bad-request' },
      { status: 404, outcome: 'fail', error: 'not-found' },
      { status: '5xx', outcome: 'info', error: 'server-error' },
    ],
  },
  // gRPC-gateway JSON: int64 as strings both ways, a bytes memo as base64, custom methods.
  'grpc-gateway': {
    arguments: { amount: { type: 'integer', min: 1, max: 100 }, memo: { type: 'bytes', length: [0, 12] } },
    createRequest: { path: '/v1/accounts', body: { balance: '{initial_balance|string}' } },
    createStatus: 200,
    moneyRequest: (op) => ({ method: 'POST', path: `/v1/accounts/{account}:${op}`, body: { amount: '{amount|string}', memo: '{memo|base64}' } }),
    depositAnswersJson: true,
    readRequest: { method: 'GET', path: '/v1/accounts/{account}' },
    insufficient: { status: 400, body: { pointer: '/code', equals: 9 }, outcome: 'fail', error: 'insufficient-funds' },
    rules: [
      { status: 400, outcome: 'fail', error: 'bad-request' },
      { status: 404, outcome: 'fail', error: 'not-found' },
      { status: '5xx', outcome: 'info', error: 'server-error' },
    ],
  },
  // Form-encoded requests, the account in the read's query string, numbers as strings.
  form: {
    arguments: { amount: { type: 'integer', min: 1, max: 100 } },
    createRequest: { path: '/accounts', form: { balance: '{initial_balance}' } },
    createStatus: 201,
    moneyRequest: (op) => ({ method: 'POST', path: `/${op}`, form: { account: '{account}', amount: '{amount}' } }),
    depositAnswersJson: false,
    readRequest: { method: 'GET', path: '/balance', query: { account: '{account}' } },
    insufficient: { status: 409, body: { pointer: '/error', equals: 'insufficient_funds' }, outcome: 'fail', error: 'insufficient-funds' },
    rules: [
      { status: 400, outcome: 'fail', error: 'bad-request' },
      { status: 404, outcome: 'fail', error: 'not-found' },
      { status: 415, outcome: 'fail', error: 'unsupported-media-type' },
      { status: '5xx', outcome: 'info', error: 'server-error' },
    ],
  },
};


// The account model over a versioned key-value API (GET with ETag, PUT
// If-Match, 412 on a stale version): withdraw and deposit are multi-request
// operations that read the balance and its ETag, refuse an overdraft, write
// the new balance if the version is unchanged, and re-run on 412.
function kvCasSpec(name, expected) {
  const casOp = (sign, guard) => ({
    idempotency: 'none',
    steps: [
      { method: 'GET', path: '/kv/{account}', capture: { balance: '/value', etag: { header: 'ETag' } } },
      ...(guard ? [{ refuse_if: { less: ['{balance}', '{amount}'] }, error: 'insufficient-funds' }] : []),
      { method: 'PUT', path: '/kv/{account}', headers: { 'If-Match': '{etag}' }, body: { value: `{balance${sign}amount}` } },
    ],
    conflict: { status: [412], max_attempts: 8 },
    classify: [{ status: 200, outcome: 'ok' }, { status: 412, outcome: 'fail', error: 'conflict' }, ...commonRules],
    extract: { balance: '/value' },
  });
  return {
    ...specHead(name, expected, ' The account is a key of a versioned key-value store; withdraw and deposit are ' +
      'client-side read, check, compare-and-swap sequences (docs/spec.md, "Multi-request operations").'),
    accounts: {
      count: 1,
      initial_balance: 100,
      setup: [{
        name: 'create key', method: 'POST', path: '/kv', body: { value: '{initial_balance}' }, expect_status: 201,
        capture: { id: '/key', opening_balance: '/value' },
      }],
      id: '{id}',
      balance_variable: 'opening_balance',
    },
    operations: {
      withdraw: casOp('-', true),
      deposit: casOp('+', false),
      read: { ...readOp('/kv/{account}', 'value'), extract: { balance: '/value' } },
    },
    final_read: { operation: 'read', instance: 0 },
    model: 'account',
    invariants: ['no-overdraft', 'conservation', 'linearizability'],
    generator: generator({ withdraw: 6, deposit: 2, read: 1 }, [1, 100], false),
  };
}

const families = {
  account: bankSpec, 'unique-create': usersSpec, inventory: inventorySpec,
  counter: counterSpec, set: setSpec, register: replicatedKvSpec,
  'grpc-gateway': (name, expected) => styledBankSpec(name, expected, apiStyles['grpc-gateway']),
  form: (name, expected) => styledBankSpec(name, expected, apiStyles.form),
  decimal: (name, expected) => styledBankSpec(name, expected, apiStyles.decimal),
  'kv-cas': kvCasSpec,
};

let written = 0;
for (const dir of fs.readdirSync(__dirname).sort()) {
  const expectedPath = path.join(__dirname, dir, 'expected.json');
  if (!fs.existsSync(expectedPath)) continue;
  const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
  const family = families[expected.api ?? expected.model];
  if (!family) throw new Error(`${expectedPath}: /${expected.api ? 'api' : 'model'}: no spec family for '${expected.api ?? expected.model}'`);
  const spec = family(dir, expected);
  fs.writeFileSync(path.join(__dirname, dir, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
  written += 1;
}
console.log(`wrote ${written} specs`);
