// The pinning follower (issue 17): three hospitals' IPFS nodes in one swarm,
// a dev chain, and one follower per hospital (`medchain follow run`, each
// keeping its hospital's node). Records are created on chain with the CIDs of
// files stored through hospital A; the followers make every hospital keep
// them, a stopped follower catches up without pinning anything twice, an
// erased record's blocks leave every node, and a CID nobody can supply waits,
// retried, without stopping anything. Every wait is for a condition (a pin, a
// block, a follower's state), polled.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevChain, submit, wrapped } from './lib/chain.js';
import { Follower, followerHome } from './lib/follower.js';
import { HospitalIpfs, newSwarmKey } from './lib/hospital-ipfs.js';
import { clientBinary, finalizedNumber, waitFor } from './lib/node.js';

const client = clientBinary();
const work = mkdtempSync(join(tmpdir(), 'medchain-follower-'));

const chain = new DevChain();
const swarmKey = newSwarmKey();
const hospitals = {};
const followers = {};
let api;
let accounts;

/** `medchain` with `args` against the dev node; its standard output. */
const medchain = (args, home = 'client') => execFileSync(client, args, {
  env: { ...process.env, MEDCHAIN_HOME: join(work, home), MEDCHAIN_NODE_URL: `http://127.0.0.1:${chain.node.rpcPort}` },
  encoding: 'utf8',
}).trim();

/** Start hospital `name`'s follower, keeping its IPFS node. */
function startFollower(name) {
  followers[name] ??= new Follower({ client, home: followerHome(work, name), nodeUrl: `http://127.0.0.1:${chain.node.rpcPort}`, ipfsUrl: hospitals[name].url });
  followers[name].start();
}

const stopFollower = (name) => followers[name]?.stop();

/** Hospital `name`'s follower's status (its state file). */
const status = (name) => followers[name].status();

/** A random file of `size` bytes stored through hospital A; its CID. */
function storedThroughA(size) {
  const file = join(work, `file-${randomBytes(4).toString('hex')}.bin`);
  writeFileSync(file, randomBytes(size));
  return medchain(['--ipfs-api', hospitals.a.url, 'ipfs', 'add', file]);
}

/** Bob creates a record with `cid`; its id and the number of its block. */
async function createRecord(cid) {
  const { bob } = accounts;
  const { events, blockHash } = await submit(api, api.tx.records.createRecord(bob.address, 'LabResult', cid, [[bob.address, wrapped(1)]]), bob);
  const created = events.find(({ event }) => event.section === 'records' && event.method === 'RecordCreated');
  const block = (await api.rpc.chain.getHeader(blockHash)).number.toNumber();
  return { id: created.event.data.record.toNumber(), block };
}

/** Bob creates a record with `cid`; its id. */
const record = async (cid) => (await createRecord(cid)).id;

/** Wait until every follower has read the finalized head as it is now. */
async function followersCaughtUp(names = ['a', 'b', 'c']) {
  const head = await finalizedNumber(chain.node.rpcPort);
  await waitFor(`followers ${names} at block ${head}`, async () => names.every((n) => status(n).block >= head), { timeoutMs: 120_000, intervalMs: 500 });
}

before(async () => {
  ({ api, accounts } = await chain.start());
  hospitals.a = await new HospitalIpfs({ swarmKey }).start();
  hospitals.b = await new HospitalIpfs({ swarmKey, peers: [hospitals.a.multiaddr] }).start();
  hospitals.c = await new HospitalIpfs({ swarmKey, peers: [hospitals.a.multiaddr, hospitals.b.multiaddr] }).start();
  for (const name of ['a', 'b', 'c']) startFollower(name);
  await submit(api, api.tx.patients.register('0x' + '07'.repeat(32), null), accounts.bob);
});

after(async () => {
  await Promise.all(Object.keys(followers).map(stopFollower));
  await Promise.all(Object.values(hospitals).map((h) => h.stop()));
  await chain.stop();
});

test('a 5 MiB record stored through A is kept by B and C, and served with A down', async (t) => {
  const cid = storedThroughA(5 * 1024 * 1024);
  assert.equal(await hospitals.b.hasBlock(cid), false);
  const { block } = await createRecord(cid);
  await waitFor(`block ${block} finalized`, async () => (await finalizedNumber(chain.node.rpcPort)) >= block, { timeoutMs: 120_000, intervalMs: 100 });
  const finalizedAt = Date.now();
  await waitFor('B and C pinning the record', async () => (await hospitals.b.call('pin/ls').then((r) => cid in r.Keys)) && (await hospitals.c.call('pin/ls').then((r) => cid in r.Keys)), { timeoutMs: 120_000, intervalMs: 100 });
  // A measurement for docs/storage.md, reported, never asserted.
  t.diagnostic(`5 MiB record pinned on B and C ${Date.now() - finalizedAt} ms after its block was seen finalized (followers look every 1 s)`);
  await hospitals.a.stop();
  const bytes = await hospitals.b.cat(cid);
  assert.equal(bytes.length, 5 * 1024 * 1024);
  assert.ok((await hospitals.c.cat(cid)).equals(bytes));
  // The client checks what B served against the CID on chain.
  writeFileSync(join(work, 'from-b.bin'), bytes);
  assert.equal(medchain(['ipfs', 'cid', join(work, 'from-b.bin')]), cid);
  await hospitals.a.start();
});

const people = join(work, 'people');
/** `medchain --json` as `as` (a key name in the people home) with hospital `ipfs`'s node; parsed output. */
function run(args, { as, ipfs = hospitals.a, input } = {}) {
  const env = {
    ...process.env,
    MEDCHAIN_HOME: people,
    MEDCHAIN_NODE_URL: `http://127.0.0.1:${chain.node.rpcPort}`,
    MEDCHAIN_IPFS_API: ipfs.url,
    MEDCHAIN_PASSWORD: 'correct horse battery staple',
  };
  const out = execFileSync(client, ['--json', ...(as ? ['--as', as] : []), ...args], { env, input, encoding: 'utf8' });
  try { return JSON.parse(out); } catch { return out; }
}
/** The record the patient and doctor below share: `{ record, cid }`. */
let scan;

test("a doctor's record stored through A opens for the patient through B and for the doctor through C", async () => {
  run(['account', 'import', 'alice'], { input: 'bottom drive obey lake curtain smoke basket hold race lonely fit walk//Alice\n' });
  const P = run(['account', 'new', 'patient']).account.address;
  const D = run(['account', 'new', 'doctor']).account.address;
  run(['admin', 'invite', '--hospital', '0', P, 'patient'], { as: 'alice' });
  run(['admin', 'invite', '--hospital', '0', D, 'doctor'], { as: 'alice' });
  run(['patient', 'register', '--hospital', '0'], { as: 'patient' });
  run(['doctor', 'apply', '--hospital', '0', '--name', 'Ines Duarte', '--specialty', 'Radiology', '--licence', 'PT-RAD-7731'], { as: 'doctor' });
  run(['admin', 'approve', D], { as: 'alice' });
  run(['doctor', 'request', P, '--categories', 'Imaging', '--permission', 'read-write'], { as: 'doctor' });
  run(['patient', 'approve', D], { as: 'patient' });
  const file = join(work, 'scan.bin');
  const bytes = randomBytes(3 * 1024 * 1024);
  writeFileSync(file, bytes);
  // Stored through A, the doctor's hospital node.
  const created = run(['doctor', 'create-record', P, '--category', 'Imaging', '--file', file], { as: 'doctor' });
  scan = created;
  await waitFor('B and C keeping the record', async () => {
    for (const h of [hospitals.b, hospitals.c]) if (!(created.cid in (await h.call('pin/ls')).Keys)) return false;
    return true;
  }, { timeoutMs: 120_000, intervalMs: 500 });
  await hospitals.a.stop();
  const mine = join(work, 'scan-patient.bin');
  run(['patient', 'open', String(created.record), '--out', mine], { as: 'patient', ipfs: hospitals.b });
  assert.ok(readFileSync(mine).equals(bytes));
  const theirs = join(work, 'scan-doctor.bin');
  run(['doctor', 'open', String(created.record), '--out', theirs], { as: 'doctor', ipfs: hospitals.c });
  assert.ok(readFileSync(theirs).equals(bytes));
  await hospitals.a.start();
});

test("the patient's erase reports when their hospital's node has dropped the file, and every node drops it", async () => {
  assert.ok(scan, "the doctor's record of the test before");
  const erased = run(['patient', 'erase', String(scan.record)], { as: 'patient', ipfs: hospitals.b });
  assert.equal(erased.droppedByHospitalNode, true);
  assert.equal(await hospitals.b.hasBlock(scan.cid), false);
  await waitFor('A and C dropping it too', async () => !(await hospitals.a.hasBlock(scan.cid)) && !(await hospitals.c.hasBlock(scan.cid)), { timeoutMs: 120_000, intervalMs: 500 });
});

test('a stopped follower catches up on restart and pins nothing twice', async () => {
  await followersCaughtUp();
  const before = status('c');
  await stopFollower('c');
  const cids = [storedThroughA(300_000), storedThroughA(1_000)];
  for (const cid of cids) await record(cid);
  const head = await finalizedNumber(chain.node.rpcPort);
  assert.ok(status('c').block < head, 'C read nothing while stopped');
  startFollower('c');
  await waitFor('C pinning both records', async () => {
    const keys = (await hospitals.c.call('pin/ls')).Keys;
    return cids.every((cid) => cid in keys);
  }, { timeoutMs: 120_000, intervalMs: 500 });
  await followersCaughtUp(['c']);
  const after = status('c');
  assert.equal(after.pinned, before.pinned + 2);
  assert.equal(after.pendingPins, 0);
});

test("an erased record's blocks leave every hospital's node", async () => {
  const cid = storedThroughA(600_000);
  const id = await record(cid);
  await waitFor('every node pinning it', async () => {
    for (const h of Object.values(hospitals)) if (!(cid in (await h.call('pin/ls')).Keys)) return false;
    return true;
  }, { timeoutMs: 120_000, intervalMs: 500 });
  await submit(api, api.tx.records.eraseRecord(id), accounts.bob);
  await waitFor('no node holding its blocks', async () => {
    for (const h of Object.values(hospitals)) if (await h.hasBlock(cid)) return false;
    return true;
  }, { timeoutMs: 120_000, intervalMs: 500 });
  for (const name of ['a', 'b', 'c']) assert.ok(status(name).unpinned >= 1);
});

test('a CID nobody can supply waits, retried, and stops nothing', async () => {
  // A file that was never stored anywhere: its CID, computed locally.
  const file = join(work, 'nowhere.bin');
  writeFileSync(file, randomBytes(2_000));
  const missing = medchain(['ipfs', 'cid', file]);
  await record(missing);
  await waitFor('B reporting the failed pin', async () => status('b').failing.some((f) => f.cid === missing && f.attempts >= 1), { timeoutMs: 180_000, intervalMs: 500 });
  // The followers go on: a later record is kept as usual.
  const later = storedThroughA(1_000);
  await record(later);
  await waitFor('B pinning the later record', async () => later in (await hospitals.b.call('pin/ls')).Keys, { timeoutMs: 180_000, intervalMs: 500 });
  const failing = status('b').failing.find((f) => f.cid === missing);
  assert.equal(failing.work, 'pin');
  assert.ok(failing.lastError.length > 0);
  assert.ok(status('b').pendingPins >= 1);
});

/** Every hospital's node pins `cid` and holds its blocks. */
async function keptEverywhere(cid) {
  for (const h of Object.values(hospitals)) {
    if (!(cid in (await h.call('pin/ls')).Keys) || !(await h.hasBlock(cid))) return false;
  }
  return true;
}

// Attack 4 of the trust review (any patient deletes any file from every hospital): two free
// calls, `setProfile(own, victim's CID)` then `setProfile(own, None)`, or a record of one's
// own with that CID then `eraseRecord`, made every follower unpin and collect the victim's
// file.
test("any patient deletes any file: naming another patient's file is refused, and the followers keep it", async () => {
  const { bob, charlie } = accounts;
  const victims = storedThroughA(200_000);
  await record(victims);
  await waitFor("every node keeping Bob's record", () => keptEverywhere(victims), { timeoutMs: 120_000, intervalMs: 500 });
  // Charlie, a patient too, tries both ways.
  await submit(api, api.tx.patients.register('0x' + '09'.repeat(32), null), charlie);
  await assert.rejects(submit(api, api.tx.patients.setProfile(charlie.address, victims), charlie), /patients\.CidInUse/);
  await assert.rejects(
    submit(api, api.tx.records.createRecord(charlie.address, 'LabResult', victims, [[charlie.address, wrapped(3)]]), charlie),
    /records\.CidInUse/,
  );
  // What Charlie may do with a file of its own goes through, and the followers act on it.
  const own = storedThroughA(1_000);
  await submit(api, api.tx.patients.setProfile(charlie.address, own), charlie);
  await submit(api, api.tx.patients.setProfile(charlie.address, null), charlie);
  await waitFor("Charlie's old profile dropped", async () => {
    for (const h of Object.values(hospitals)) if (await h.hasBlock(own)) return false;
    return true;
  }, { timeoutMs: 120_000, intervalMs: 500 });
  assert.ok(await keptEverywhere(victims), "Bob's file is still on every hospital's node");
});

test("a file a patient's profile still names stays when the record naming it is erased", async () => {
  const { bob } = accounts;
  const cid = storedThroughA(50_000);
  const id = await record(cid);
  await submit(api, api.tx.patients.setProfile(bob.address, cid), bob);
  await waitFor('every node keeping it', () => keptEverywhere(cid), { timeoutMs: 120_000, intervalMs: 500 });
  await submit(api, api.tx.records.eraseRecord(id), bob);
  await followersCaughtUp();
  assert.ok(await keptEverywhere(cid), 'the profile still names it');
  await submit(api, api.tx.patients.setProfile(bob.address, null), bob);
  await waitFor('no node holding it once nothing names it', async () => {
    for (const h of Object.values(hospitals)) if (await h.hasBlock(cid)) return false;
    return true;
  }, { timeoutMs: 120_000, intervalMs: 500 });
});
