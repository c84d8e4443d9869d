'use strict';
// Request validation shared by the targets: positive safe integers only, so a
// bad body is a 400 and never reaches the critical section.

function positiveInt(body, field) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const v = body[field];
  return Number.isSafeInteger(v) && v > 0 ? v : null;
}

function nonNegativeInt(body, field) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return null;
  const v = body[field];
  return Number.isSafeInteger(v) && v >= 0 ? v : null;
}

function badRequest(res, detail) {
  return res.status(400).json({ error: 'bad_request', detail });
}

module.exports = { positiveInt, nonNegativeInt, badRequest };
