'use strict';
// The balance is a JavaScript number and amounts are parsed with Number():
// binary floating point cannot hold 0.10 or 0.20 exactly, so the balance
// drifts (0.1 + 0.2 answers 0.30000000000000004) and a withdrawal of exactly
// the remaining balance can be refused (1.00 - 0.90 leaves 0.09999999999999998,
// less than 0.10).
const { serveDecimalBank } = require('../lib/decimal-bank');

serveDecimalBank({
  parse: (text) => Number(text),
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  lessThan: (a, b) => a < b,
  toJson: (v) => v,
});
