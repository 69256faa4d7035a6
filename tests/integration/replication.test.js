// Selective replication (issue 17): three hospitals on a dev chain (0, and 1
// and 2 admitted by sudo), each with its IPFS node and a follower keeping
// only its own patients' and doctors' files and its share of one copy of
// every file (`--keep own --min-replicas 1`). Files are uploaded through a
// fourth node (a desk without a follower), so that every pin the test sees
// is a follower's. The expected holders are computed here from the ranking
// docs/storage.md specifies (BLAKE2-256 rendezvous hashing), independently
// of the client's code. Every wait is for a condition, polled.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blake2AsU8a } from '@polkadot/util-crypto';
import { u8aConcat, stringToU8a } from '@polkadot/util';
import { DevChain, submit, wrapped } from './lib/chain.js';
import { Follower, followerHome } from './lib/follower.js';
import { HospitalIpfs, newSwarmKey } from './lib/hospital-ipfs.js';
import { clientBinary, finalizedNumber, waitFor } from './lib/node.js';

const client = clientBinary();
const work = mkdtempSync(join(tmpdir(), 'medchain-replication-'));

const chain = new DevChain();
const swarmKey = newSwarmKey();
/** Hospital id → its IPFS node; `desk` uploads. */
const nodes = {};
let desk;
const followers = {};
let api;
let accounts;
const records = []; // { id, cid, owners }

const le = (value, bytes) => {
  const out = new Uint8Array(bytes);
  let v = BigInt(value);
  for (let i = 0; i < bytes; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
};

/** The first `n` of `active` hospitals in record `id`'s ranking (docs/storage.md). */
function ranked(id, active, n) {
  const key = u8aConcat(stringToU8a('record:'), le(id, 8));
  const score = (h) => Buffer.from(blake2AsU8a(u8aConcat(stringToU8a('medchain/replica/'), key, le(h, 4)), 256));
  return [...active].sort((x, y) => Buffer.compare(score(x), score(y))).slice(0, n);
}

function startFollower(hospital, args = ['--keep', 'own', '--hospital', String(hospital), '--min-replicas', '1']) {
  followers[hospital] = new Follower({
    client, home: followerHome(work, hospital), nodeUrl: `http://127.0.0.1:${chain.node.rpcPort}`, ipfsUrl: nodes[hospital].url, args,
  }).start();
}

/** A random file stored through the desk; its CID. */
function stored(size = 2_000) {
  const file = join(work, `file-${randomBytes(4).toString('hex')}.bin`);
  writeFileSync(file, randomBytes(size));
  return execFileSync(client, ['--ipfs-api', desk.url, 'ipfs', 'add', file], { encoding: 'utf8' }).trim();
}

/**
 * `patient` creates `count` records of their own at once (consecutive
 * nonces); remembers them with their owners. Resolves to the last one.
 */
async function createRecords(patient, owners, count = 1) {
  const first = (await api.rpc.system.accountNextIndex(patient.address)).toNumber();
  const made = await Promise.all(Array.from({ length: count }, async (_, i) => {
    const cid = stored();
    const tx = api.tx.records.createRecord(patient.address, 'LabResult', cid, [[patient.address, wrapped(1)]]);
    const { events } = await submit(api, tx, patient, { nonce: first + i });
    const created = events.find(({ event }) => event.section === 'records' && event.method === 'RecordCreated');
    return { id: created.event.data.record.toNumber(), cid, owners };
  }));
  records.push(...made);
  return made.at(-1);
}

const pinned = async (hospital, cid) => cid in (await nodes[hospital].call('pin/ls')).Keys;

/** Wait until every follower has read the finalized head as it is now and has no work left. */
async function settled() {
  const head = await finalizedNumber(chain.node.rpcPort);
  await waitFor(`followers at block ${head} with nothing pending`, async () => Object.values(followers).every((f) => {
    const s = f.status();
    return s.block >= head && s.pendingPins === 0 && s.pendingUnpins === 0;
  }), { timeoutMs: 180_000, intervalMs: 500 });
}

before(async () => {
  ({ api, accounts } = await chain.start());
  const { alice, bob, charlie, dave, eve } = accounts;
  await submit(api, api.tx.sudo.sudo(api.tx.consortium.admitHospital('Hospital One', [charlie.address], charlie.address)), alice);
  await submit(api, api.tx.sudo.sudo(api.tx.consortium.admitHospital('Hospital Two', [dave.address], dave.address)), alice);
  desk = await new HospitalIpfs({ swarmKey }).start();
  for (const h of [0, 1, 2]) nodes[h] = await new HospitalIpfs({ swarmKey, peers: [desk.multiaddr] }).start();
  for (const h of [0, 1, 2]) startFollower(h);
  // Bob registers on his own (no hospital); Eve through hospital 1's invitation.
  await submit(api, api.tx.patients.register('0x' + '07'.repeat(32), null), bob);
  await submit(api, api.tx.consortium.invite(1, eve.address, 'Patient'), charlie);
  await submit(api, api.tx.patients.registerAt(1, '0x' + '08'.repeat(32), null), eve);
});

after(async () => {
  await Promise.all(Object.values(followers).map((f) => f.stop()));
  await Promise.all([desk, ...Object.values(nodes)].map((n) => n?.stop()));
  await chain.stop();
});

test("each record is kept by its patient's hospital and its ranked share, and nowhere else", async () => {
  const { bob, eve } = accounts;
  await Promise.all([createRecords(bob, [], 4), createRecords(eve, [1], 2)]);
  const holders = (r) => new Set([...r.owners, ...ranked(r.id, [0, 1, 2], 1)]);
  await waitFor('every record on its holders', async () => {
    for (const r of records) for (const h of holders(r)) if (!(await pinned(h, r.cid))) return false;
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
  await settled();
  let copies = 0;
  for (const r of records) {
    for (const h of [0, 1, 2]) {
      assert.equal(await pinned(h, r.cid), holders(r).has(h), `record ${r.id} on hospital ${h}`);
    }
    copies += holders(r).size;
  }
  // Selective for real: fewer copies than every hospital keeping everything.
  assert.ok(copies < 3 * records.length);
  for (const h of [0, 1, 2]) assert.deepEqual(followers[h].status().replication, { keep: 'own', hospital: h, minReplicas: 1 });
});

test("a suspended hospital's share moves to the next hospital in each record's ranking", async () => {
  const { alice, bob } = accounts;
  // A record whose one ranked copy is hospital 2's (ids are deterministic on a fresh chain).
  let record = records.find((r) => r.owners.length === 0 && ranked(r.id, [0, 1, 2], 1)[0] === 2);
  for (let i = 0; !record && i < 12; i++) {
    const r = await createRecords(bob, []);
    if (ranked(r.id, [0, 1, 2], 1)[0] === 2) record = r;
  }
  assert.ok(record, 'some record ranks hospital 2 first');
  await waitFor('hospital 2 keeping it', () => pinned(2, record.cid), { timeoutMs: 180_000, intervalMs: 500 });
  const successor = ranked(record.id, [0, 1], 1)[0];
  assert.equal(await pinned(successor, record.cid), false);
  await submit(api, api.tx.sudo.sudo(api.tx.consortium.suspendHospital(2)), alice);
  await waitFor(`hospital ${successor} taking it over`, () => pinned(successor, record.cid), { timeoutMs: 180_000, intervalMs: 500 });
  assert.ok(followers[successor].status().reconciliations >= 1);
  // Nothing is dropped on a membership change: hospital 2 still has its copy.
  assert.equal(await pinned(2, record.cid), true);
});

test('a follower restarted to keep everything pins what it skipped', async () => {
  await settled();
  const skipped = [];
  for (const r of records) if (!(await pinned(0, r.cid))) skipped.push(r);
  assert.ok(skipped.length > 0);
  await followers[0].stop();
  startFollower(0, []);
  await waitFor('hospital 0 keeping every record', async () => {
    for (const r of skipped) if (!(await pinned(0, r.cid))) return false;
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
  assert.deepEqual(followers[0].status().replication, { keep: 'all' });
});
