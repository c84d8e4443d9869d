'use strict';
// The same bank holding integer cents: "10.10" is parsed digit by digit to
// 1010, sums are exact integers, and balances go back as decimal strings
// ("10.10"). Correct: racecheck must not cry wolf.
const { serveDecimalBank } = require('../lib/decimal-bank');

function cents(text) {
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
}

function decimal(c) {
  const sign = c < 0 ? '-' : '';
  const a = Math.abs(c);
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`;
}

serveDecimalBank({
  parse: cents,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  lessThan: (a, b) => a < b,
  toJson: decimal,
});
