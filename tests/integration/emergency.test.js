// Threshold break-glass (issue 20), through the `medchain` program: a dev
// chain with three hospitals (0, and 1 and 2 admitted by sudo), each with its
// key-release service in a home of its own, and a js-ipfs daemon. A patient of
// hospital 0 makes her LabResult and Allergy records available in an
// emergency (keys split 2 of 3); a doctor of hospital 1 who never treated her
// gets nothing until he breaks the glass; with hospital 2's service stopped,
// hospitals 0 and 1 release their shares and the doctor opens byte-identical
// files; releases sent from outside the client are refused by name; a share
// that does not open is reported with its hospital's name; the trail shows
// the break-glass, each release and the receipts; the stopped service catches
// up when started again; once the review is closed, the released shares are
// gone, and a record escrowed later
// is released to nobody. Key recovery (trust review, attack 2): one her
// hospital and another start without her is pending on her screen, held by
// every service and cancelled by her; the genuine one, approved by another
// hospital, is released only after the delay. Every wait is for a chain
// condition or a service's state, polled.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bnToU8a, u8aToHex } from '@polkadot/util';
import { xxhashAsHex } from '@polkadot/util-crypto';
import { accountFromUri, DevChain, rejectsWithoutAudit, submit } from './lib/chain.js';
import { medchainRunner } from './lib/cli.js';
import { ClientProcess } from './lib/follower.js';
import { JsIpfs } from './lib/ipfs.js';
import { clientBinary, finalizedNumber, waitFor } from './lib/node.js';

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';
const binary = clientBinary();
const work = mkdtempSync(join(tmpdir(), 'medchain-emergency-'));
const chain = new DevChain();
const ipfs = new JsIpfs();
let api;
let accounts;
let env;
const { run, ok } = medchainRunner(binary, () => env);

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** A hospital's key-release service (`medchain release-service run`) in its own home. */
class ReleaseService extends ClientProcess {
  constructor(hospital) {
    super();
    this.client = binary;
    this.hospital = hospital;
    this.home = join(work, `release-service-${hospital}`);
    this.command = ['--as', 'service', 'release-service', 'run', '--poll', '1'];
    mkdirSync(this.home, { recursive: true });
  }

  get env() {
    return { ...env, MEDCHAIN_HOME: this.home };
  }

  async status() {
    return (await ok(['release-service', 'status'], { extraEnv: { MEDCHAIN_HOME: this.home } })).json;
  }
}

const services = [0, 1, 2].map((h) => new ReleaseService(h));

/** The shares of `record` released to `doctor` so far, by hospital. */
async function releasedTo(record, doctor) {
  const release = await api.query.records.releases(record, doctor);
  return release.isSome ? release.unwrap().shares.map(([h]) => h.toNumber()) : [];
}

/** Wait until the running services have read the finalized head as it is now with nothing pending. */
async function servicesSettled(running) {
  const head = await finalizedNumber(chain.node.rpcPort);
  await waitFor(`release services at block ${head} with nothing pending`, async () => {
    for (const s of running) {
      const status = await s.status();
      if (status.block < head || status.pending.length > 0) return false;
    }
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
}

before(async () => {
  ({ api, accounts } = await chain.start());
  await ipfs.start();
  env = {
    ...process.env,
    MEDCHAIN_HOME: join(work, 'people'),
    MEDCHAIN_NODE_URL: `http://127.0.0.1:${chain.node.rpcPort}`,
    MEDCHAIN_IPFS_API: ipfs.url,
    MEDCHAIN_PASSWORD: 'correct horse battery staple',
  };
  const { alice, charlie, dave } = accounts;
  await submit(api, api.tx.sudo.sudo(api.tx.consortium.admitHospital('Hospital One', [charlie.address], charlie.address)), alice);
  await submit(api, api.tx.sudo.sudo(api.tx.consortium.admitHospital('Hospital Two', [dave.address], dave.address)), alice);
  for (const name of ['alice', 'charlie', 'dave']) {
    const uri = `${DEV_PHRASE}//${name[0].toUpperCase()}${name.slice(1)}\n`;
    await ok(['account', 'import', name], { input: uri });
  }
  // Each hospital's operator makes the service's account in its own home; the
  // service prints its key-release key; the hospital's admin registers both.
  for (const [h, admin] of [[0, 'alice'], [1, 'charlie'], [2, 'dave']]) {
    const home = { extraEnv: { MEDCHAIN_HOME: services[h].home } };
    const made = (await ok(['account', 'new', 'service'], home)).json;
    const { address } = made.account;
    services[h].mnemonic = made.mnemonic;
    const { key } = (await ok(['release-service', 'key'], { ...home, as: 'service' })).json;
    assert.match(key, /^0x[0-9a-f]{64}$/);
    await ok(['admin', 'set-release-key', String(h), '--service', address, '--key', key], { as: admin });
  }
  for (const s of services) s.start();
});

after(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await Promise.all([ipfs.stop(), chain.stop()]);
});

/** Shared by the tests: the patient, her record ids and their contents. */
const story = {};

test('a doctor who breaks the glass opens the opted-in records once 2 of 3 hospitals release, with one service down', async () => {
  const P = (await ok(['account', 'new', 'patient'])).json.account.address;
  const D = (await ok(['account', 'new', 'doctor'])).json.account.address;
  await ok(['admin', 'invite', '--hospital', '0', P, 'patient'], { as: 'alice' });
  await ok(['admin', 'invite', '--hospital', '1', D, 'doctor'], { as: 'charlie' });
  await ok(['patient', 'register', '--hospital', '0'], { as: 'patient' });
  await ok(['doctor', 'apply', '--hospital', '1', '--name', 'Idris Sow', '--specialty', 'Emergency medicine', '--licence', 'SN-EM-0007'], { as: 'doctor' });
  await ok(['admin', 'approve', D], { as: 'charlie' });

  // Three records of her own; two of them made available in an emergency.
  const files = {};
  const ids = {};
  for (const [category, size] of [['LabResult', 300 * 1024], ['Allergy', 2_000], ['Diagnosis', 5_000]]) {
    files[category] = randomBytes(size);
    const file = join(work, `${category}.bin`);
    writeFileSync(file, files[category]);
    ids[category] = (await ok(['patient', 'upload', '--category', category, '--file', file], { as: 'patient' })).json.record;
  }
  const optIn = (await ok(['patient', 'emergency-opt-in', '--categories', 'LabResult,Allergy'], { as: 'patient' })).json;
  assert.deepEqual(optIn.records.map((r) => r.record).sort(), [ids.LabResult, ids.Allergy].sort());
  assert.deepEqual(optIn.custodians, [0, 1, 2]);
  assert.equal(optIn.threshold, 2);
  const escrow = (await api.query.records.escrows(ids.LabResult)).unwrap();
  assert.deepEqual(escrow.shares.map(([h]) => h.toNumber()), [0, 1, 2]);
  assert.ok((await api.query.records.escrows(ids.Diagnosis)).isNone);

  // Without an emergency the doctor has no grant, and the services release nothing.
  const early = await run(['doctor', 'open', String(ids.LabResult), '--out', join(work, 'early.bin')], { as: 'doctor', json: false });
  assert.equal(early.code, 1);
  assert.match(early.stderr, /has no grant covering LabResult records of this patient/);
  await servicesSettled(services);
  assert.deepEqual(await releasedTo(ids.LabResult, D), []);

  // Hospital 2's service is down. The doctor breaks the glass.
  await services[2].stop();
  const start = Date.now();
  await ok(['doctor', 'emergency', P, '--reason', 'patient-unconscious'], { as: 'doctor' });
  await waitFor('hospitals 0 and 1 to release their shares of both records', async () => {
    for (const id of [ids.LabResult, ids.Allergy]) {
      if ((await releasedTo(id, D)).length < 2) return false;
    }
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
  assert.deepEqual((await releasedTo(ids.LabResult, D)).sort(), [0, 1]);
  const labOut = join(work, 'lab-opened.bin');
  await ok(['doctor', 'open', String(ids.LabResult), '--out', labOut], { as: 'doctor' });
  const elapsed = Date.now() - start;
  assert.equal(sha256(readFileSync(labOut)), sha256(files.LabResult));
  console.log(`break-glass to opened record (300 KiB, 2 of 3 hospitals, one service down): ${elapsed} ms`);
  const allergyOut = join(work, 'allergy-opened.bin');
  await ok(['doctor', 'open', String(ids.Allergy), '--out', allergyOut], { as: 'doctor' });
  assert.equal(sha256(readFileSync(allergyOut)), sha256(files.Allergy));

  // Releases the chain refuses, by name and with nothing written, sent from
  // outside the client: by an account that is no hospital's service, to an
  // account that is no doctor, of a record not opted in.
  const { alice } = accounts;
  const service2 = accountFromUri(services[2].mnemonic);
  const garbage = '0x' + '5a'.repeat(81);
  const release = (doctor, record) => api.tx.records.releaseShares(doctor, [[record, garbage]]);
  await rejectsWithoutAudit(api, release(D, ids.LabResult), alice, 'records.NotReleaseService');
  await rejectsWithoutAudit(api, release(alice.address, ids.LabResult), service2, 'records.DoctorNotActive');
  await rejectsWithoutAudit(api, release(D, ids.Diagnosis), service2, 'records.NotEscrowed');
  // Hospital 2 releases a share that is not one: the doctor's client says
  // which hospital's share does not open, and opens the record with the others.
  await submit(api, release(D, ids.Allergy), service2);
  const withBadShare = await ok(['doctor', 'open', String(ids.Allergy), '--out', allergyOut], { as: 'doctor', json: false });
  assert.match(withBadShare.stderr, /the share Hospital Two \(#2\) released does not open with your encryption key: report it to that hospital/);
  assert.equal(sha256(readFileSync(allergyOut)), sha256(files.Allergy));

  // A record she did not opt in stays closed, and the client says why.
  const closed = await run(['doctor', 'open', String(ids.Diagnosis), '--out', join(work, 'diag.bin')], { as: 'doctor', json: false });
  assert.equal(closed.code, 1);
  assert.match(closed.stderr, /holds no current key to record \d+: ask the patient to share it \[Records\.NoKey\]/);

  // The patient's trail: the break-glass, each release by a service, the receipts.
  const trail = (await ok(['audit', 'trail', P])).json;
  assert.equal(trail.verified, true);
  const actions = trail.entries.map((e) => e.action.type);
  assert.ok(actions.includes('EmergencyAccessOpened'));
  assert.equal(actions.filter((a) => a === 'EmergencyKeyEscrowed').length, 2);
  assert.equal(actions.filter((a) => a === 'EmergencyShareReleased').length, 5);
  const opened = trail.entries.filter((e) => e.action.type === 'RecordOpened');
  assert.equal(opened.length, 3);
  assert.ok(opened.every((e) => e.actor.account === D), JSON.stringify(opened));
  // The doctor's own trail names each share received.
  const doctorTrail = (await ok(['audit', 'trail', D])).json;
  assert.equal(doctorTrail.entries.filter((e) => e.action.type === 'EmergencyShareReceived').length, 5);

  // The stopped service catches up: a service that is down only delays its share.
  services[2].start();
  await waitFor("hospital 2's share after its service restarts", async () => (await releasedTo(ids.LabResult, D)).length === 3,
    { timeoutMs: 180_000, intervalMs: 500 });
  // Its share of the Allergy record is the one it already released (bad): only LabResult's.
  assert.equal((await services[2].status()).released, 1);

  // Hospital 1 closes the review: the emergency is over. A record escrowed now
  // is released to nobody.
  const reviews = (await ok(['admin', 'reviews', '1'], { as: 'charlie' })).json;
  assert.equal(reviews.length, 1);
  await ok(['admin', 'close-review', '1', String(reviews[0].entry), '--justified'], { as: 'charlie' });
  // The shares released for it go with it (trust review, attack 5): nothing stays readable
  // through them, and their places are free for the next emergency.
  assert.deepEqual(await releasedTo(ids.LabResult, D), []);
  await ok(['patient', 'emergency-opt-in', '--records', String(ids.Diagnosis)], { as: 'patient' });
  await servicesSettled(services);
  assert.deepEqual(await releasedTo(ids.Diagnosis, D), []);
  Object.assign(story, { P, ids, files });
});

/** Set the chain's key recovery delay (ms) through sudo, as a runtime upgrade or the council would. */
async function setRecoveryDelay(ms) {
  const key = xxhashAsHex('Patients', 128) + xxhashAsHex('RecoveryDelay', 128).slice(2);
  const value = u8aToHex(bnToU8a(ms, { bitLength: 64 }));
  await submit(api, api.tx.sudo.sudo(api.tx.system.setStorage([[key, value]])), accounts.alice);
  assert.equal((await api.query.patients.recoveryDelay()).toNumber(), ms);
}

// Trust review, attack 2 (one hospital recovers any of its patients' keys), through the
// client and the real release services: her hospital and one other start a recovery she
// never asked for; it is pending on her screen, the services hold it and release nothing,
// and she cancels it.
test('one hospital recovers keys: a recovery she did not ask for is pending on her screen, released to nobody, and she cancels it', async () => {
  const { P, ids } = story;
  assert.ok(P, 'the first test ran');
  // An hour's delay, so that "pending" holds however slow this machine is.
  await setRecoveryDelay(3_600_000);
  const M = (await ok(['account', 'new', 'made-up'])).json.account.address;
  await ok(['admin', 'invite', '--hospital', '0', M, 'patient'], { as: 'alice' });
  await ok(['patient', 'register', '--hospital', '0'], { as: 'made-up' });
  await ok(['admin', 'represent', '--hospital', '0', P], { as: 'alice' });
  await ok(['admin', 'add-guardian', P, M], { as: 'alice' });
  // Her own hospital cannot approve it.
  const same = await run(['admin', 'approve-recovery', '--hospital', '0', P, M], { as: 'alice', json: false });
  assert.equal(same.code, 1);
  assert.match(same.stderr, /a recovery is approved from outside the patient's hospital.*\[Patients\.SameHospital\]/s);
  // Hospital 1 goes along with it.
  const approved = (await ok(['admin', 'approve-recovery', '--hospital', '1', P, M], { as: 'charlie' })).json;
  const block = approved.blockNumber;
  // Her screen says so, and how to stop it.
  const shown = await ok(['patient', 'recovery'], { as: 'patient', json: false });
  assert.match(shown.stdout, /a key recovery to .* is pending: from .* the hospitals release this patient's escrowed record keys to it \(approved by Hospital One \(#1\)\)\. If you did not ask for it, cancel it now: `medchain patient cancel-recovery`/s);
  const status = (await ok(['patient', 'recovery'], { as: 'patient' })).json;
  assert.equal(status.status, 'pending');
  assert.equal(status.holder, M);
  // Every service has read the approval and holds it; nothing is released.
  await waitFor('every service holding the pending recovery', async () => {
    for (const s of services) {
      const st = await s.status();
      if (st.block < block || !st.pending.some((e) => e.recovery && e.doctor === M)) return false;
    }
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
  for (const id of Object.values(ids)) assert.deepEqual(await releasedTo(id, M), []);
  // She cancels it; the services drop it, having released nothing.
  await ok(['patient', 'cancel-recovery'], { as: 'patient' });
  assert.equal((await ok(['patient', 'recovery'], { as: 'patient' })).json, null);
  await waitFor('every service refusing the cancelled recovery', async () => {
    for (const s of services) {
      const st = await s.status();
      if (!st.refused.some((r) => r.doctor === M && /no longer approved/.test(r.reason))) return false;
    }
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
  for (const id of Object.values(ids)) assert.deepEqual(await releasedTo(id, M), []);
  await setRecoveryDelay(12_000);
});

test('a patient who lost her keys gets her records back through her hospital and another, after the delay', async () => {
  const { P, ids, files } = story;
  assert.ok(P, 'the first test ran');
  // She lost her mnemonic: her old account can sign nothing. She makes a new
  // account, which registers as a patient (for its encryption key).
  const N = (await ok(['account', 'new', 'patient-new'])).json.account.address;
  await ok(['admin', 'invite', '--hospital', '0', N, 'patient'], { as: 'alice' });
  await ok(['patient', 'register', '--hospital', '0'], { as: 'patient-new' });
  // Before any approval, the services release nothing to the new account.
  const early = await run(['patient', 'open', String(ids.LabResult), '--out', join(work, 'early-n.bin')], { as: 'patient-new', json: false });
  assert.equal(early.code, 1);
  // The identity check at her hospital's desk: its admin records that she
  // cannot act and makes the new account her guardian.
  await ok(['admin', 'represent', '--hospital', '0', P], { as: 'alice' });
  await ok(['admin', 'add-guardian', P, N], { as: 'alice' });
  // A second check by another hospital approves it; it takes effect after the dev chain's
  // 12-second delay.
  const approved = (await ok(['admin', 'approve-recovery', '--hospital', '1', P, N], { as: 'charlie' })).json;
  const { effectiveAt } = approved;
  assert.ok(effectiveAt > 0);
  // Every hospital's service releases its share of each escrowed record to the new account.
  await waitFor('the shares of her three escrowed records released to her new account', async () => {
    for (const id of [ids.LabResult, ids.Allergy, ids.Diagnosis]) {
      if ((await releasedTo(id, N)).length < 3) return false;
    }
    return true;
  }, { timeoutMs: 180_000, intervalMs: 500 });
  for (const category of ['LabResult', 'Allergy', 'Diagnosis']) {
    const out = join(work, `recovered-${category}.bin`);
    await ok(['patient', 'open', String(ids[category]), '--out', out], { as: 'patient-new' });
    assert.equal(sha256(readFileSync(out)), sha256(files[category]), category);
  }
  const trail = (await ok(['audit', 'trail', P])).json;
  assert.equal(trail.verified, true);
  const approval = trail.entries.filter((e) => e.action.type === 'KeyRecoveryApproved').pop();
  assert.deepEqual(approval.actor, { kind: 'hospital', hospital: 1 });
  assert.equal(approval.action.holder, N);
  const releases = trail.entries.filter((e) => e.action.type === 'EmergencyShareReleased' && e.action.reader === N);
  assert.equal(releases.length, 9);
  // None before the delay had passed (the chain refuses them, and the services wait).
  for (const r of releases) assert.ok(r.at.ms >= effectiveAt, `released at ${r.at.ms}, effective at ${effectiveAt}`);
});
