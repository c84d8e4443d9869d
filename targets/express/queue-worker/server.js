'use strict';
// Request -> Queue -> Worker -> Safe execution. Handlers do not
// touch the balance; they enqueue a job and await its result. One worker takes
// jobs off the queue one at a time and runs each to completion — read, awaited
// fraud check, write — before starting the next, so no two jobs interleave
// however long their awaits are.
const { createApp, addErrorHandlers, listen } = require('../lib/server');
const { mountBank, results } = require('../lib/bank-routes');
const { MemoryAccounts } = require('../lib/memory-accounts');

const MAX_QUEUE_LENGTH = 10000; // beyond this, refuse (429) rather than grow without bound

class SerialQueue {
  constructor() {
    this.jobs = [];
    this.working = false;
  }

  // Resolves with what work() returns, after every job submitted before it.
  submit(work) {
    if (this.jobs.length >= MAX_QUEUE_LENGTH) return Promise.resolve(results.busy());
    return new Promise((resolve, reject) => {
      this.jobs.push({ work, resolve, reject });
      if (!this.working) this.drain();
    });
  }

  async drain() {
    this.working = true;
    while (this.jobs.length) {
      const job = this.jobs.shift();
      try {
        job.resolve(await job.work());
      } catch (err) {
        job.reject(err);
      }
    }
    this.working = false;
  }
}

const accounts = new MemoryAccounts(); // touched only by the worker
const queue = new SerialQueue();

const app = createApp();
// Safe although readCheckAwaitWrite awaits between its read and its write: the
// worker runs nothing else meanwhile.
mountBank(app, accounts.bankOps((id, delta) => queue.submit(() => accounts.readCheckAwaitWrite(id, delta))));
addErrorHandlers(app);
listen(app);
