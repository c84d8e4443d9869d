'use strict';
// Idempotency keys kept in process memory, done right (the IETF
// Idempotency-Key draft): the key is claimed with an in-flight marker
// SYNCHRONOUSLY, before the first await, so a duplicate that arrives while the
// original is still running is refused with 409 instead of executing again;
// the finished response is stored and replayed for every later duplicate —
// refusals (409 insufficient funds) included; the same key with a different
// payload is refused with 422. Keys are scoped to the account they act on.
//
// Correct inside ONE process only: a second instance has its own Map.
//
// The store lives as long as the process and forgets a key only when its TTL
// has passed: like the key store of a real service, nothing a test does to the
// accounts clears it.
//
// `{replay: 'successes'}` is the common variant that stores only 2xx
// responses (the default of express-idempotency and many hand-written
// layers): a refusal is forgotten, so a retry of a refused withdrawal executes
// again and may succeed once money has arrived — the refusal is not replayed.
const { results } = require('./bank-routes');

const KEY_TTL_MS = 24 * 60 * 60 * 1000; // how long a stored response is replayed
const REPLAY_MODES = ['every-response', 'successes'];

class MemoryIdempotency {
  constructor({ replay = 'every-response' } = {}) {
    if (!REPLAY_MODES.includes(replay)) throw new Error(`replay must be one of ${REPLAY_MODES.join(', ')}`);
    this.replay = replay;
    this.entries = new Map(); // `${scope}\n${key}` -> {fingerprint, response|null, storedAt}
  }

  // execute() runs the operation; run() returns the response to send.
  async run(scope, key, fingerprint, execute) {
    if (key === null) return execute();
    this.evictExpired();
    const id = `${scope}\n${key}`;
    const entry = this.entries.get(id);
    if (entry) {
      if (entry.fingerprint !== fingerprint) return results.keyReused();
      return entry.response ?? results.keyInFlight();
    }
    const claim = { fingerprint, response: null, storedAt: Date.now() };
    this.entries.set(id, claim); // the in-flight marker, set before any await
    try {
      const response = await execute();
      const stored = this.replay === 'every-response' || (response.status >= 200 && response.status <= 299);
      if (stored) {
        claim.response = response;
        claim.storedAt = Date.now();
      } else {
        this.entries.delete(id);
      }
      return response;
    } catch (err) {
      this.entries.delete(id); // nothing was applied: let a retry execute
      throw err;
    }
  }

  evictExpired() {
    const cutoff = Date.now() - KEY_TTL_MS;
    for (const [id, entry] of this.entries) {
      if (entry.response && entry.storedAt < cutoff) this.entries.delete(id);
    }
  }
}

module.exports = { MemoryIdempotency };
