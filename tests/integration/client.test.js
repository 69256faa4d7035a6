// The `medchain` client end to end, through the program only: a dev node, a
// js-ipfs daemon (an independent IPFS implementation speaking the Kubo RPC
// API), and fresh accounts in a fresh keystore. First the CIDs the client
// computes against js-ipfs's; then the whole seed story: invitations,
// registration with an encrypted profile, a doctor's application and
// approval, a request and its approval, a 5 MiB record created by the doctor
// and downloaded by the patient, the audit trail verified, revocation, key
// rotation, the revoked doctor unable to decrypt the current version, erasure.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { medchainRunner } from './lib/cli.js';
import { clientBinary, DevNode } from './lib/node.js';
import { JsIpfs } from './lib/ipfs.js';

const binary = clientBinary();
const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

const node = new DevNode();
const ipfs = new JsIpfs();
const work = mkdtempSync(join(tmpdir(), 'medchain-client-'));
let env;

/** Run `medchain` with `args` (`medchain`), and require success (`ok`). */
const { run: medchain, ok } = medchainRunner(binary, () => env);

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * A JSON-RPC proxy in front of `target` that changes the result of `method`
 * with `lie`: a compromised node, as a client sees one.
 */
async function lyingNode(target, method, lie) {
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    const answer = await (await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json();
    if (JSON.parse(body).method === method && answer.result) answer.result = lie(answer.result);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** An IPFS API whose `cat` serves `real` with its first byte changed: a tampered or lying store. */
async function lyingIpfs(real) {
  const server = createServer((req, res) => {
    const bytes = Buffer.from(real);
    bytes[0] ^= 0xff;
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(bytes);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

before(async () => {
  assert.ok(existsSync(binary), `medchain not found at ${binary}: run scripts/build.sh`);
  await Promise.all([node.start(), ipfs.start()]);
  env = {
    ...process.env,
    MEDCHAIN_HOME: join(work, 'home'),
    MEDCHAIN_NODE_URL: `http://127.0.0.1:${node.rpcPort}`,
    MEDCHAIN_IPFS_API: ipfs.url,
    MEDCHAIN_PASSWORD: 'correct horse battery staple',
  };
});

after(async () => {
  await Promise.all([node.stop(), ipfs.stop()]);
});

test('the client computes the CIDs js-ipfs computes, for 0 B to 10 MiB', async () => {
  for (const size of [0, 1, 256 * 1024, 256 * 1024 + 1, 10 * 1024 * 1024]) {
    const bytes = randomBytes(size);
    const file = join(work, `cid-${size}`);
    writeFileSync(file, bytes);
    const ours = (await ok(['ipfs', 'cid', file])).json.cid;
    const theirs = await ipfs.add(bytes);
    assert.equal(ours, theirs, `size ${size}`);
    // And the client's own upload through the Kubo API lands on the same CID.
    assert.equal((await ok(['ipfs', 'add', file])).json.cid, theirs);
    assert.equal(sha256(await ipfs.cat(theirs)), sha256(bytes));
  }
});

test('the seed story through the medchain program', async () => {
  // Accounts: Alice (admin of hospital 0 on the dev chain) from the dev
  // phrase; a new patient and a new doctor with no tokens at all.
  await ok(['account', 'import', 'alice'], { input: `${DEV_PHRASE}//Alice\n` });
  const patient = (await ok(['account', 'new', 'patient'])).json;
  const doctor = (await ok(['account', 'new', 'doctor'])).json;
  assert.match(patient.mnemonic, /^(\w+ ){23}\w+$/);
  const P = patient.account.address;
  const D = doctor.account.address;
  const list = (await ok(['account', 'list'])).json;
  assert.deepEqual(list.map((a) => a.name), ['alice', 'doctor', 'patient']);

  // A wrong password is refused with its own exit code.
  const bad = await new Promise((resolve) => {
    const child = spawn(binary, ['--as', 'patient', 'patient', 'records'], { env: { ...env, MEDCHAIN_PASSWORD: 'wrong' } });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('exit', (code) => resolve({ code, err }));
  });
  assert.equal(bad.code, 3);
  assert.match(bad.err, /wrong password for account 'patient'/);

  // Polkadot.js export opens with the same password in @polkadot/keyring.
  const exported = join(work, 'patient.json');
  await ok(['account', 'export', 'patient', '--out', exported]);
  const { Keyring } = await import('@polkadot/keyring');
  const { cryptoWaitReady, signatureVerify } = await import('@polkadot/util-crypto');
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 2403 });
  const pair = keyring.addFromJson(JSON.parse(readFileSync(exported, 'utf8')));
  pair.decodePkcs8(env.MEDCHAIN_PASSWORD);
  assert.equal(pair.address, P);
  assert.ok(signatureVerify('hello', pair.sign('hello'), P).isValid);

  // Alice invites both; the invitations make their first calls free.
  await ok(['admin', 'invite', '--hospital', '0', P, 'patient'], { as: 'alice' });
  await ok(['admin', 'invite', '--hospital', '0', D, 'doctor'], { as: 'alice' });

  // The patient registers with a profile encrypted to them.
  const profileFile = join(work, 'profile.json');
  const profile = { name: 'Amina Diallo', birthDate: '1988-04-12', sex: 'F', bloodGroup: 'O+', allergies: ['penicillin'], contact: '+221 77 000 00 00' };
  writeFileSync(profileFile, JSON.stringify(profile));
  const registered = (await ok(['patient', 'register', '--hospital', '0', '--profile', profileFile], { as: 'patient' })).json;
  assert.equal(registered.feeless, true);
  assert.deepEqual((await ok(['patient', 'profile'], { as: 'patient' })).json, profile);
  // Nothing of the profile is on chain in clear: the chain holds a CID.
  const onChain = await (await fetch(env.MEDCHAIN_NODE_URL, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'medchain_patient', params: [P] }) })).json();
  assert.equal(onChain.result.profile, registered.profile);
  assert.ok(!JSON.stringify(onChain).includes('Amina'));
  // Registered at the inviting hospital. The desk records that she cannot act
  // for herself, then that she can again.
  assert.equal(onChain.result.hospital, 0);
  assert.equal((await ok(['admin', 'represent', '--hospital', '0', P], { as: 'alice' })).json.represented, true);
  assert.equal((await ok(['admin', 'represent', '--hospital', '0', P, '--end'], { as: 'alice' })).json.represented, false);
  const twice = await medchain(['admin', 'represent', '--hospital', '0', P, '--end'], { as: 'alice', json: false });
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /no hospital has recorded that this patient cannot act/);

  // The doctor applies, Alice approves; the hospital's list shows the name.
  await ok(['doctor', 'apply', '--hospital', '0', '--name', 'Manal Haddad', '--specialty', 'Cardiology', '--licence', 'SN-CARD-0042'], { as: 'doctor' });
  await ok(['admin', 'approve', D], { as: 'alice' });
  const doctors = (await ok(['admin', 'doctors', '0'], { as: 'alice' })).json;
  assert.ok(doctors.some((d) => d.account === D && d.status === 'Active' && d.name === 'Manal Haddad'));
  const table = await ok(['admin', 'doctors', '0'], { as: 'alice', json: false });
  assert.match(table.stdout, /Dr\. Manal Haddad\s+Cardiology\s+Active/);

  // Without a grant the doctor cannot create a record; the error says what to do
  // and that the chain was not changed.
  const record5 = join(work, 'scan.bin');
  const bytes = randomBytes(5 * 1024 * 1024);
  writeFileSync(record5, bytes);
  const refused = await medchain(['doctor', 'create-record', P, '--category', 'LabResult', '--file', record5], { as: 'doctor', json: false });
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /Dr\. Manal Haddad has no read-write grant for LabResult records of this patient: ask the patient to approve your request/);
  assert.match(refused.stderr, /stored as bafy\w+; the chain was not changed/);

  // Request, approval, record.
  await ok(['doctor', 'request', P, '--categories', 'LabResult,Diagnosis', '--permission', 'read-write'], { as: 'doctor' });
  const requests = (await ok(['patient', 'requests'], { as: 'patient' })).json;
  assert.deepEqual(requests.map((r) => [r.doctor, r.permission]), [[D, 'ReadWrite']]);
  await ok(['patient', 'approve', D], { as: 'patient' });
  const created = (await ok(['doctor', 'create-record', P, '--category', 'LabResult', '--file', record5], { as: 'doctor' })).json;
  assert.equal(created.readers, 2);
  const id = String(created.record);
  // The ciphertext in IPFS is not the file.
  const stored = await ipfs.cat(created.cid);
  assert.ok(stored.length > bytes.length && !stored.includes(bytes.subarray(0, 64)));

  // The patient downloads identical bytes; the doctor too (read receipt first).
  const mine = join(work, 'mine.bin');
  await ok(['patient', 'open', id, '--out', mine], { as: 'patient' });
  assert.equal(sha256(readFileSync(mine)), sha256(bytes));
  const theirs = join(work, 'theirs.bin');
  await ok(['doctor', 'open', id, '--out', theirs], { as: 'doctor' });
  assert.equal(sha256(readFileSync(theirs)), sha256(bytes));
  // An IPFS node that serves other bytes: refused as a verification failure (exit 5), nothing written.
  const liarIpfs = await lyingIpfs(stored);
  const lied = await medchain(['patient', 'open', id, '--out', join(work, 'lied.bin')], { as: 'patient', json: false, extraEnv: { MEDCHAIN_IPFS_API: liarIpfs.url } });
  await liarIpfs.close();
  assert.equal(lied.code, 5, lied.stderr);
  assert.match(lied.stderr, /the bytes received hash to .*, not to .* as the chain records: the download was refused and nothing was decrypted/);
  assert.equal(existsSync(join(work, 'lied.bin')), false);
  const records = (await ok(['patient', 'records'], { as: 'patient' })).json;
  assert.deepEqual(records.map((r) => [r.id, r.category, r.author, r.version]), [[created.record, 'LabResult', D, 1]]);
  const patients = (await ok(['doctor', 'patients'], { as: 'doctor' })).json;
  assert.deepEqual(patients, [P]);

  // The audit trail, hash chain recomputed by the client.
  const trail = (await ok(['audit', 'trail', P])).json;
  assert.equal(trail.verified, true);
  const actions = trail.entries.map((e) => e.action.type);
  for (const a of ['PatientRegistered', 'AccessRequested', 'AccessRequestApproved', 'RecordCreated', 'RecordOpened']) {
    assert.ok(actions.includes(a), `${a} in ${actions}`);
  }
  // Root only acts: its trail is what it did (the genesis admission of the dev hospital).
  const byRoot = (await ok(['audit', 'trail', 'root'])).json;
  assert.equal(byRoot.byActor, true);
  assert.ok(byRoot.entries.some((e) => e.action.type === 'HospitalAdmitted' && e.subject.kind === 'hospital'), JSON.stringify(byRoot.entries));
  const trailTable = (await ok(['audit', 'trail', P], { json: false })).stdout;
  assert.match(trailTable, /hash chain VERIFIED/);
  // The approval's terms, in words (abuse review, attack 9).
  assert.match(trailTable, /AccessRequestApproved doctor=Dr\. Manal Haddad terms=\(LabResult, Diagnosis, ReadWrite, for Treatment, until revoked\)/);

  // Client trusts the node (abuse review, attack 11): a compromised node that
  // answers with an attacker's encryption key for the doctor would get the
  // patient's data key wrapped to the attacker. With a second node to check
  // against, the client refuses before wrapping anything.
  let note;
  const liar = await lyingNode(env.MEDCHAIN_NODE_URL, 'medchain_doctor', (doctor) => ({ ...doctor, encryptionKey: '0x' + '66'.repeat(32) }));
  try {
    const small = join(work, 'note.txt');
    writeFileSync(small, 'a short note');
    const refused = await medchain(['patient', 'upload', '--category', 'LabResult', '--file', small], {
      as: 'patient', json: false, extraEnv: { MEDCHAIN_NODE_URL: liar.url, MEDCHAIN_VERIFY_NODE_URL: env.MEDCHAIN_NODE_URL },
    });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /the two nodes disagree about Dr\. Manal Haddad's encryption key at block 0x[0-9a-f]{64}/);
    assert.match(refused.stderr, /nothing was wrapped or sent/);
    assert.deepEqual((await ok(['patient', 'records'], { as: 'patient' })).json.map((r) => r.id), [created.record]);
    // Two honest nodes agree: the upload goes through.
    note = (await ok(['patient', 'upload', '--category', 'LabResult', '--file', small], {
      as: 'patient', extraEnv: { MEDCHAIN_VERIFY_NODE_URL: env.MEDCHAIN_NODE_URL },
    })).json;
    assert.equal(note.readers, 2);
  } finally {
    await liar.close();
  }

  // Revoke and rotate: the revoked doctor can no longer open the record (the
  // client writes the read receipt first, always, and the chain refuses it),
  // holds no key, and the current version is a new ciphertext under a new key.
  await ok(['patient', 'revoke', D], { as: 'patient' });
  const rotated = (await ok(['patient', 'rotate', id], { as: 'patient' })).json;
  assert.equal(rotated.epoch, 1);
  assert.equal(rotated.readers, 1);
  assert.notEqual(rotated.cid, created.cid);
  const denied = await medchain(['doctor', 'open', id, '--out', join(work, 'denied.bin')], { as: 'doctor', json: false });
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /no grant covering LabResult records/);
  assert.ok(!existsSync(join(work, 'denied.bin')));
  // Rotation wrote no plaintext: the client's temporary directory is the
  // user's alone and empty again.
  const tmpDir = join(env.MEDCHAIN_HOME, 'tmp');
  assert.equal(statSync(tmpDir).mode & 0o777, 0o700);
  assert.deepEqual(readdirSync(tmpDir), []);
  // The patient still reads it, re-encrypted.
  const again = join(work, 'again.bin');
  await ok(['patient', 'open', id, '--out', again], { as: 'patient' });
  assert.equal(sha256(readFileSync(again)), sha256(bytes));

  // Erase: gone from the chain's state, and every version unpinned from the
  // client's IPFS node; the trail still verifies and records both.
  // This IPFS node has no follower to collect garbage, so the client is not asked to
  // wait for the node to drop the file (follower.test.js checks that wait).
  const erased = (await ok(['patient', 'erase', id, '--drop-timeout', '0'], { as: 'patient' })).json;
  assert.equal(erased.droppedByHospitalNode, null);
  assert.ok(erased.versions >= 2, `versions: ${erased.versions}`);
  assert.equal(erased.unpinned, erased.versions);
  assert.deepEqual(erased.unpinFailed, []);
  for (const cid of [created.cid, rotated.cid]) {
    assert.equal(await ipfs.pinned(cid), false, `${cid} is no longer pinned`);
  }
  assert.deepEqual((await ok(['patient', 'records'], { as: 'patient' })).json.map((r) => r.id), [note.record]);
  const gone = await medchain(['patient', 'open', id, '--out', join(work, 'gone.bin')], { as: 'patient', json: false });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /there is no record/);
  const final = (await ok(['audit', 'trail', P])).json;
  assert.equal(final.verified, true);
  assert.ok(final.entries.some((e) => e.action.type === 'RecordErased'));
  assert.ok(final.entries.some((e) => e.action.type === 'RecordKeyRotated'));
  assert.ok(final.entries.some((e) => e.action.type === 'AccessRevoked'));
});
