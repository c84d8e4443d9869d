'use strict';
// Several instances done right: the service is run as several instances (launch.sh
// starts two), and everything they must agree on — balances AND idempotency
// keys — lives in the shared PostgreSQL database (lib/idempotent-pg-bank.js).
// A retry that a load balancer sends to the other instance finds the key the
// first instance stored and replays its response.
const { serveIdempotentPgBank } = require('../lib/idempotent-pg-bank');

serveIdempotentPgBank('multi_instance_shared');
