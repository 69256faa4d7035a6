// The consortium's storage (issue 17, first part): three hospitals' IPFS
// nodes as MedChain ships them (ipfs/medchain-ipfs: Helia in a private libp2p
// network sharing one swarm key), and an outsider with another key. A file
// the client stores through hospital A gets the CID the client computes, is
// fetched and kept by B, and is still served by B and C once A is gone; the
// outsider can neither join the swarm nor fetch it; an unpinned file's
// blocks go at garbage collection.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HospitalIpfs, newSwarmKey } from './lib/hospital-ipfs.js';
import { clientBinary, waitFor } from './lib/node.js';

const client = clientBinary();
const work = mkdtempSync(join(tmpdir(), 'medchain-storage-'));

const swarmKey = newSwarmKey();
const a = new HospitalIpfs({ swarmKey });
let b;
let c;
let outsider;

/** `medchain` with `args`, in a fresh home; its standard output, trimmed. */
const medchain = (...args) => execFileSync(client, args, { env: { ...process.env, MEDCHAIN_HOME: join(work, 'home') }, encoding: 'utf8' }).trim();

before(async () => {
  await a.start();
  b = await new HospitalIpfs({ swarmKey, peers: [a.multiaddr] }).start();
  c = await new HospitalIpfs({ swarmKey, peers: [a.multiaddr, b.multiaddr] }).start();
  outsider = await new HospitalIpfs({ swarmKey: newSwarmKey(), peers: [a.multiaddr] }).start();
});

after(async () => {
  await Promise.all([a, b, c, outsider].map((n) => n?.stop()));
});

test("the hospitals' nodes form one swarm, closed to a node without the consortium's key", async () => {
  await waitFor('B and C peered with A', async () => (await a.peerIds()).includes(b.peerId) && (await a.peerIds()).includes(c.peerId), { timeoutMs: 30_000, intervalMs: 500 });
  assert.ok((await c.peerIds()).includes(b.peerId));
  // The outsider dials A every few seconds and is never let in.
  await assert.rejects(outsider.call('swarm/connect', { arg: a.multiaddr }));
  assert.deepEqual(await outsider.peerIds(), []);
  assert.ok(!(await a.peerIds()).includes(outsider.peerId));
});

test('a record stored through A is kept by B and served by B and C once A is down', async () => {
  const file = join(work, 'record.bin');
  const bytes = randomBytes(5 * 1024 * 1024);
  writeFileSync(file, bytes);
  // The client computes the CID itself and refuses a node that disagrees.
  const cid = medchain('ipfs', 'cid', file);
  assert.equal(medchain('--ipfs-api', a.url, 'ipfs', 'add', file), cid);
  assert.deepEqual(await a.call('pin/ls', { arg: cid }), { Keys: { [cid]: { Type: 'recursive' } } });

  // B keeps it: pinning fetches every block from the swarm.
  assert.equal(await b.hasBlock(cid), false);
  await b.call('pin/add', { arg: cid, timeout: '60s' });
  assert.equal(await b.hasBlock(cid), true);

  // The outsider cannot get it, even through its API.
  await assert.rejects(outsider.cat(cid, '3s'));

  await a.stop();
  assert.ok(Buffer.from(await b.cat(cid)).equals(bytes));
  // C never held it: it fetches it from B over the swarm.
  assert.ok((await c.cat(cid)).equals(bytes));
});

test("an unpinned file's blocks go at garbage collection", async () => {
  const file = join(work, 'small.bin');
  writeFileSync(file, randomBytes(1000));
  const cid = medchain('--ipfs-api', b.url, 'ipfs', 'add', file);
  assert.equal(await b.hasBlock(cid), true);
  await b.call('pin/rm', { arg: cid });
  await assert.rejects(b.call('pin/rm', { arg: cid }), /not pinned/);
  await b.call('repo/gc');
  assert.equal(await b.hasBlock(cid), false);
});

/** POST `path` to `node`'s API with these extra headers; `[status, body]`. */
function rawPost(node, path, headers) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: node.apiPort, path: `/api/v0/${path}`, method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve([res.statusCode, body]));
    });
    req.on('error', reject);
    req.end();
  });
}

// Attack 7 of the trust review: a web page open on a hospital's host could unpin and
// collect files through the IPFS API with `fetch`, or through a DNS name rebound to
// 127.0.0.1.
test('a web page on the host cannot drive the IPFS API: Origin and foreign Host headers are refused', async () => {
  const file = join(work, 'kept.bin');
  writeFileSync(file, randomBytes(1000));
  const cid = medchain('--ipfs-api', b.url, 'ipfs', 'add', file);
  const [fromPage, pageMessage] = await rawPost(b, `pin/rm?arg=${cid}`, { Origin: 'https://ward-news.example' });
  assert.equal(fromPage, 403);
  assert.match(pageMessage, /Origin/);
  const [rebound, reboundMessage] = await rawPost(b, 'repo/gc', { Host: `attacker.example:${b.apiPort}` });
  assert.equal(rebound, 403);
  assert.match(reboundMessage, /Host/);
  // Nothing was unpinned or collected.
  assert.equal(await b.hasBlock(cid), true);
  assert.ok((await b.call('pin/ls', { arg: cid })).Keys[cid]);
  // The client and the followers (no Origin, a loopback Host) are served.
  const [plain] = await rawPost(b, 'id', {});
  assert.equal(plain, 200);
  const [named] = await rawPost(b, 'id', { Host: `localhost:${b.apiPort}` });
  assert.equal(named, 200);
});
