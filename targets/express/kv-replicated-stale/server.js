'use strict';
// A leader and a follower of one replicated key-value store (lib/replicated-kv.js):
// launch.sh starts the leader, then the follower with --peer LEADER_URL. The
// spec decides where reads go.
require('../lib/replicated-kv').startReplicatedKv();
