'use strict';
// Writes every target's racecheck spec (<target>/spec.json) from the three API
// families below, so that the 19 specs stay alike and differ only where the
// targets do (idempotency keys, instances). Run it after changing a template:
//   node targets/express/write-specs.js
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
const keyRules = [
  { status: 409, body: { pointer: '/error', equals: 'key_in_flight' }, outcome: 'fail', error: 'key-in-flight' },
  { status: 422, body: { pointer: '/error', equals: 'key_reused' }, outcome: 'fail', error: 'key-reused' },
];

function bankSpec(name, expected) {
  const idempotent = expected.idempotent;
  const moneyOp = (op, refusal) => ({
    method: 'POST',
    path: `/accounts/{account}/${op}`,
    body: { amount: '{amount}' },
    classify: [
      { status: 200, outcome: 'ok' },
      ...(refusal ? [refusal] : []),
      ...(idempotent ? keyRules : []),
      ...commonRules,
    ],
    extract: { balance: '/balance' },
  });
  return {
    $comment: `Express target ${name} (${expected.seed_section}, expected ${expected.expected}): ${expected.why}`,
    name: `express ${name}`,
    base_urls: Array.from({ length: expected.instances ?? 1 }, () => PLACEHOLDER_URL),
    distribution: 'round-robin',
    request: { timeout_ms: 5000, max_body_bytes: 65536 },
    headers: { Accept: 'application/json' },
    idempotency_header: 'Idempotency-Key',
    accounts: {
      count: 1,
      initial_balance: 100,
      setup: [{
        name: 'create account',
        method: 'POST',
        path: '/accounts',
        body: { balance: '{initial_balance}' },
        expect_status: 201,
        capture: { id: '/id', opening_balance: '/balance' },
      }],
      id: '{id}',
      balance_variable: 'opening_balance',
    },
    operations: {
      withdraw: moneyOp('withdraw',
        { status: 409, body: { pointer: '/error', equals: 'insufficient_funds' }, outcome: 'fail', error: 'insufficient-funds' }),
      deposit: moneyOp('deposit', null),
      read: {
        method: 'GET',
        path: '/accounts/{account}',
        classify: [{ status: 200, outcome: 'ok' }, ...commonRules],
        extract: { balance: '/balance' },
      },
    },
    final_read: { operation: 'read', instance: 0 },
    model: 'account',
    invariants: idempotent
      ? ['no-overdraft', 'conservation', 'idempotency', 'linearizability']
      : ['no-overdraft', 'conservation', 'linearizability'],
    generator: {
      clients: [2, 8],
      ops_per_client: [1, 3],
      accounts: 1,
      op_mix: { withdraw: 6, deposit: 2, read: 1 },
      amount: [1, 100],
      // Targets without idempotency keys are not asked to deduplicate; the ones
      // with keys get duplicates, replays, reused keys, retries and lost responses.
      key_policy: idempotent
        ? { none: 1, fresh: 2, 'concurrent-duplicate': 4, 'sequential-replay': 1, 'different-payload': 1 }
        : { none: 1 },
      retry_max_attempts: idempotent ? 3 : 1,
      lost_response_probability: idempotent ? 0.1 : 0,
      release: { burst: 4, staggered: 1 },
      stagger_us: [0, 2000],
      delay_us: 0,
      trials: 200,
      budget_s: 20,
    },
  };
}

function usersSpec(name, expected) {
  return {
    $comment: `Express target ${name} (${expected.seed_section}, expected ${expected.expected}): ${expected.why} ` +
      'Each trial registers names in a fresh team, so every name starts free. There is no read operation: ' +
      'the final read may only take {account}, and two successful creations of one name already break the model.',
    name: `express ${name}`,
    base_urls: [PLACEHOLDER_URL],
    distribution: 'round-robin',
    request: { timeout_ms: 5000, max_body_bytes: 65536 },
    headers: { Accept: 'application/json' },
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
    generator: {
      clients: [2, 8],
      ops_per_client: [1, 3],
      accounts: 1,
      op_mix: { create: 1 },
      key_policy: { none: 1 },
      retry_max_attempts: 1,
      lost_response_probability: 0,
      release: { burst: 4, staggered: 1 },
      stagger_us: [0, 2000],
      delay_us: 0,
      trials: 200,
      budget_s: 20,
    },
  };
}

function inventorySpec(name, expected) {
  const qtyOp = (op, refusal) => ({
    method: 'POST',
    path: `/items/{account}/${op}`,
    body: { qty: '{quantity}' },
    classify: [{ status: 200, outcome: 'ok' }, refusal, ...commonRules],
    extract: { stock: '/stock' },
  });
  return {
    $comment: `Express target ${name} (${expected.seed_section}, expected ${expected.expected}): ${expected.why} ` +
      'The "account" is an item; its initial stock is the initial balance.',
    name: `express ${name}`,
    base_urls: [PLACEHOLDER_URL],
    distribution: 'round-robin',
    request: { timeout_ms: 5000, max_body_bytes: 65536 },
    headers: { Accept: 'application/json' },
    accounts: {
      count: 1,
      initial_balance: 10,
      setup: [{
        name: 'create item',
        method: 'POST',
        path: '/items',
        body: { stock: '{initial_balance}' },
        expect_status: 201,
        capture: { id: '/id', opening_stock: '/stock' },
      }],
      id: '{id}',
      balance_variable: 'opening_stock',
    },
    operations: {
      reserve: qtyOp('reserve',
        { status: 409, body: { pointer: '/error', equals: 'out_of_stock' }, outcome: 'fail', error: 'out-of-stock' }),
      release: qtyOp('release',
        { status: 409, body: { pointer: '/error', equals: 'nothing_reserved' }, outcome: 'fail', error: 'nothing-reserved' }),
      read: {
        method: 'GET',
        path: '/items/{account}',
        classify: [{ status: 200, outcome: 'ok' }, ...commonRules],
        extract: { stock: '/stock' },
      },
    },
    final_read: { operation: 'read', instance: 0 },
    model: 'inventory',
    invariants: ['no-overdraft', 'conservation', 'linearizability'],
    generator: {
      clients: [2, 8],
      ops_per_client: [1, 3],
      accounts: 1,
      op_mix: { reserve: 6, release: 1, read: 1 },
      amount: [1, 4],
      key_policy: { none: 1 },
      retry_max_attempts: 1,
      lost_response_probability: 0,
      release: { burst: 4, staggered: 1 },
      stagger_us: [0, 2000],
      delay_us: 0,
      trials: 200,
      budget_s: 20,
    },
  };
}

const families = { account: bankSpec, 'unique-create': usersSpec, inventory: inventorySpec };
const IDEMPOTENT = new Set(['idem-mem-racy', 'idem-correct', 'idem-pg-unique', 'multi-instance-mem', 'multi-instance-shared']);

let written = 0;
for (const dir of fs.readdirSync(__dirname).sort()) {
  const expectedPath = path.join(__dirname, dir, 'expected.json');
  if (!fs.existsSync(expectedPath)) continue;
  const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8'));
  const family = families[expected.model];
  if (!family) throw new Error(`${expectedPath}: /model: no spec family for '${expected.model}'`);
  const spec = family(dir, { ...expected, idempotent: IDEMPOTENT.has(dir) });
  fs.writeFileSync(path.join(__dirname, dir, 'spec.json'), `${JSON.stringify(spec, null, 2)}\n`);
  written += 1;
}
console.log(`wrote ${written} specs`);
