// The short multi-node check CI runs on every change: the four hospitals of
// `--chain local` form a full mesh and finalize; the first boot node (Alice)
// dies; blocks and finality go on without it; it comes back, catches up and
// agrees with the others on the finalized chain. How long each step took is
// reported (t.diagnostic), never asserted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Network } from '../lib/network.js';

const network = new Network();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
let started;

before(async () => {
  started = Date.now();
  await network.start();
});

after(async () => {
  await network.stop();
});

test('the four hospitals finalize and every node has the other three as peers', async (t) => {
  await network.finalizedEverywhere(2);
  const all = await network.meshed();
  assert.deepEqual(all.map((s) => s.peers), [3, 3, 3, 3]);
  t.diagnostic(`four nodes started, block 2 finalized everywhere and a full mesh ${seconds(started)} after launch`);
});

test('losing the first boot node stops neither blocks nor finality', async (t) => {
  const bob = network.node('bob');
  const before = await bob.status();
  await network.kill('alice');
  const killed = Date.now();
  // GRANDPA needs 3 of 4 votes: Bob, Charlie and Dave are enough.
  const finalized = await network.finalityAdvances(3);
  const after = await bob.status();
  assert.ok(after.best > before.best, 'blocks go on');
  assert.ok(after.finalized >= finalized);
  assert.equal(after.peers, 2, 'the other two stay connected to Bob');
  t.diagnostic(`Alice killed at finalized #${before.finalized}; #${finalized} finalized without her ${seconds(killed)} later`);
});

test('the boot node restarts, catches up and agrees on the finalized chain', async (t) => {
  const restarted = Date.now();
  await network.restart('alice');
  const { target, hashes } = await network.caughtUp('alice');
  assert.ok(target > 0);
  assert.equal(new Set(hashes).size, 1, `every node has the same block ${target}: ${hashes.join(', ')}`);
  await network.meshed();
  t.diagnostic(`Alice restarted, finalized #${target} with the others' hash and rejoined the mesh ${seconds(restarted)} later`);
});
