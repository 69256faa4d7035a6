// Records and consent on the dev node, through @polkadot/api with no custom
// types: the whole seed story of a patient, a doctor and a record, then
// break-glass access and its review; then every `medchain_*` JSON-RPC
// method over plain HTTP, now and at past blocks of the story.
//
// Dev chain: Alice is the admin of hospital 0. Bob is the patient; Eve and
// Ferdie are doctors of hospital 0; Charlie is nobody in particular.
//
// The wrapped keys here are opaque 80-byte values: the chain stores and
// checks their length and holder but never opens them (the `medchain`
// client makes real HPKE wraps).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { u8aToString } from '@polkadot/util';
import { blake2AsHex, encodeAddress } from '@polkadot/util-crypto';
import { rpcAnswer, waitFor } from './lib/node.js';
import { accountFromUri, DevChain, submit, eventsOf, rejectsWithoutAudit, verifiedAuditTrail, wrapped } from './lib/chain.js';

// `ipfs add --cid-version=1` of "hello world\n", and a CIDv0.
const CID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';
const CID_V2 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o';

const chain = new DevChain();
let api;
let accounts;
// What the seed story leaves for the JSON-RPC test: the record's id and the
// hashes of two past blocks.
const story = {};

before(async () => {
  ({ api, accounts } = await chain.start());
});

after(() => chain.stop());

const rejects = (tx, signer, expected) => rejectsWithoutAudit(api, tx, signer, expected);
const trailOf = async (who) => (await verifiedAuditTrail(api, { Account: who.address }));
const actions = (entries) => entries.map((e) => e.action.type);

/** Submit several calls of different signers into (usually) one block. */
const together = (...calls) => Promise.all(calls.map(([tx, signer]) => submit(api, tx, signer)));

test('records and access are in the metadata, every call documented', () => {
  for (const [pallet, calls] of Object.entries({
    records: ['createRecord', 'updateRecord', 'shareKeys', 'rotateKey', 'eraseRecord', 'openRecord'],
    access: ['grant', 'changeGrant', 'revoke', 'removeExpired', 'requestAccess', 'approveRequest',
      'denyRequest', 'withdrawRequest', 'removeExpiredRequest', 'emergencyAccess', 'closeEmergencyReview'],
  })) {
    for (const call of calls) {
      assert.ok(api.tx[pallet][call], `${pallet}.${call} is callable`);
      const docs = api.tx[pallet][call].meta.docs.map(String).join(' ');
      assert.match(docs, /dispatch origin/, `${pallet}.${call} documents its origin`);
    }
  }
});

test('the seed story: register, approve, request, consent, record, audit, revoke', async () => {
  const { alice, bob, charlie, eve } = accounts;
  const KEY = '0x' + '07'.repeat(32);

  // A patient registers; a doctor applies and the hospital admin approves.
  await together(
    [api.tx.patients.register(KEY, null), bob],
    [api.tx.doctors.apply(0, 'Dr Eve Example', 'Cardiology', '0x' + '21'.repeat(32), KEY), eve],
  );
  await submit(api, api.tx.doctors.approve(eve.address), alice);

  // The doctor asks for read-write access to lab results and diagnoses.
  const scope = { Categories: ['LabResult', 'Diagnosis'] };
  await rejects(api.tx.access.requestAccess(bob.address, scope, 'ReadWrite', 'Treatment', 'plain text reason'), eve, 'access.MalformedNote');
  await rejects(api.tx.access.requestAccess(bob.address, scope, 'ReadWrite', 'Treatment', null), charlie, 'access.NotActiveDoctor');
  const { events: requested, blockHash: requestedIn } = await submit(api, api.tx.access.requestAccess(bob.address, scope, 'ReadWrite', 'Treatment', null), eve);
  story.requested = requestedIn.toHex();
  const [request] = eventsOf(api, requested, 'access', 'AccessRequested');
  assert.equal(request.data.doctor.toString(), eve.address);
  assert.ok((await api.query.access.requestOf(bob.address, eve.address)).isSome);

  // Before consent the doctor cannot write.
  await rejects(api.tx.records.createRecord(bob.address, 'LabResult', CID, [[bob.address, wrapped(1)], [eve.address, wrapped(2)]]), eve, 'records.NoWriteAccess');

  // The patient approves; a grantee cannot approve for them.
  await rejects(api.tx.access.approveRequest(bob.address, eve.address, null, null, null, []), eve, 'access.NotPatientOrGuardian');
  await rejects(api.tx.access.approveRequest(bob.address, eve.address, { Categories: ['LabResult', 'Imaging'] }, null, null, []), bob, 'access.NotWithinRequest');
  // A listed record must exist and be the patient's (abuse review, attack 10).
  await rejects(api.tx.access.approveRequest(bob.address, eve.address, { Records: [1] }, null, null, []), bob, 'access.UnknownRecord');
  await submit(api, api.tx.access.approveRequest(bob.address, eve.address, null, null, null, []), bob);
  const grant = (await api.query.access.grantOf(bob.address, eve.address)).unwrap();
  assert.equal(grant.permission.type, 'ReadWrite');
  assert.deepEqual(grant.scope.asCategories.map(String), ['LabResult', 'Diagnosis']);
  assert.ok((await api.query.access.patientsOf(eve.address, bob.address)).isSome, "Bob is on Eve's patient list");

  // The doctor creates a record: the CID, and the data key wrapped for the patient and herself.
  await rejects(api.tx.records.createRecord(bob.address, 'Imaging', CID, [[bob.address, wrapped(1)], [eve.address, wrapped(2)]]), eve, 'records.NoWriteAccess');
  await rejects(api.tx.records.createRecord(bob.address, 'LabResult', CID, [[eve.address, wrapped(2)]]), eve, 'records.PatientKeyMissing');
  await rejects(api.tx.records.createRecord(bob.address, 'LabResult', CID, [[bob.address, '0x0102'], [eve.address, wrapped(2)]]), eve, 'records.WrongKeyLength');
  await rejects(api.tx.records.createRecord(bob.address, 'LabResult', 'not-a-cid', [[bob.address, wrapped(1)], [eve.address, wrapped(2)]]), eve, 'records.MalformedCid');
  const { events: created } = await submit(api, api.tx.records.createRecord(bob.address, 'LabResult', CID, [[bob.address, wrapped(1)], [eve.address, wrapped(2)]]), eve);
  const [createdEvent] = eventsOf(api, created, 'records', 'RecordCreated');
  const id = createdEvent.data.record.toNumber();
  const record = (await api.query.records.recordById(id)).unwrap();
  assert.equal(record.patient.toString(), bob.address);
  assert.equal(record.author.toString(), eve.address);
  assert.equal(record.category.type, 'LabResult');
  assert.equal(u8aToString(record.cid), CID);
  assert.equal(record.version.toNumber(), 1);
  assert.equal(record.readers.toNumber(), 2);
  assert.equal((await api.query.records.keys(id, eve.address)).unwrap().wrapped.toHex(), wrapped(2));
  // Listing: the patient's records (paged, as any storage map) and the record's readers.
  const page = await api.query.records.recordsOf.entriesPaged({ args: [bob.address], pageSize: 10 });
  assert.deepEqual(page.map(([key]) => key.args[1].toNumber()), [id]);
  const readers = (await api.query.records.keys.keys(id)).map((key) => key.args[1].toString()).sort();
  assert.deepEqual(readers, [bob.address, eve.address].sort());

  // The doctor opens it (read receipt) and stores a second version.
  await submit(api, api.tx.records.openRecord(id), eve);
  const { blockHash: updatedIn } = await submit(api, api.tx.records.updateRecord(id, CID_V2), eve);
  Object.assign(story, { id, updated: updatedIn.toHex() });
  assert.equal(u8aToString((await api.query.records.versions(id, 1)).unwrap().cid), CID);
  assert.equal(u8aToString((await api.query.records.recordById(id)).unwrap().cid), CID_V2);
  await rejects(api.tx.records.openRecord(id), charlie, 'records.NoReadAccess');

  // The patient reads their audit trail, hash chain verified.
  let entries = await trailOf(bob);
  assert.deepEqual(actions(entries), [
    'PatientRegistered', 'AccessRequested', 'AccessRequestApproved', 'RecordCreated', 'RecordOpened', 'RecordUpdated',
  ]);
  assert.deepEqual(entries.slice(3).map((e) => e.actor.asAccount.toString()), [eve.address, eve.address, eve.address]);
  assert.equal(entries[4].action.asRecordOpened.record.toNumber(), id);
  // The approval names the grant's terms (abuse review, attack 9): the trail
  // alone says who could read what, for what, until when.
  const approved = entries[2].action.asAccessRequestApproved;
  assert.equal(approved.doctor.toString(), eve.address);
  assert.deepEqual(approved.terms.scope.asCategories.map((c) => c.type), ['LabResult', 'Diagnosis']);
  assert.deepEqual([approved.terms.permission.type, approved.terms.purpose.type, approved.terms.expiresAt.isNone], ['ReadWrite', 'Treatment', true]);

  // The patient revokes; the doctor's key goes in the same transaction.
  const { events: revoked } = await submit(api, api.tx.access.revoke(bob.address, eve.address), bob);
  const [revokedEvent] = eventsOf(api, revoked, 'access', 'AccessRevoked');
  assert.equal(revokedEvent.data.keysRemoved.toNumber(), 1);
  assert.ok((await api.query.records.keys(id, eve.address)).isNone);
  assert.ok((await api.query.access.grantOf(bob.address, eve.address)).isNone);

  // The doctor's next update and open fail with named errors.
  await rejects(api.tx.records.updateRecord(id, CID), eve, 'records.NoWriteAccess');
  await rejects(api.tx.records.openRecord(id), eve, 'records.NoReadAccess');

  // The patient rotates the record's key: later versions are closed to the doctor.
  await rejects(api.tx.records.rotateKey(id, CID, [[bob.address, wrapped(3)], [eve.address, wrapped(4)]]), bob, 'records.ReaderWithoutAccess');
  await submit(api, api.tx.records.rotateKey(id, CID, [[bob.address, wrapped(3)]]), bob);
  const rotated = (await api.query.records.recordById(id)).unwrap();
  assert.equal(rotated.epoch.toNumber(), 1);
  assert.equal(rotated.version.toNumber(), 3);
  assert.equal((await api.query.records.keys(id, bob.address)).unwrap().epoch.toNumber(), 1);

  entries = await trailOf(bob);
  assert.deepEqual(actions(entries).slice(-2), ['AccessRevoked', 'RecordKeyRotated']);

  // The same, through the runtime API (Apps' runtime calls), typed and paged.
  const records = await api.call.medchainApi.recordsOf(bob.address, null, 1000);
  assert.deepEqual(records.items.map((r) => r.id.toNumber()), [id]);
  assert.equal(records.next.isNone, true);
  assert.deepEqual(records.items[0].versions.map((v) => u8aToString(v.cid)), [CID, CID_V2, CID]);
  const trailPage = await api.call.medchainApi.auditTrail({ Account: bob.address }, 0, 5);
  assert.equal(trailPage.len.toNumber(), entries.length);
  assert.equal(trailPage.items.length, 5);
  assert.equal(trailPage.next.unwrap().toNumber(), 5);
  assert.ok(trailPage.items.every((e, i) => e.seq.eq(entries[i].seq)));
  const rest = await api.call.medchainApi.auditTrail({ Account: bob.address }, 5, 100);
  assert.ok(rest.next.isNone);
  assert.equal(rest.head.toHex(), (await api.query.audit.subjectTrail({ Account: bob.address })).head.toHex());
});

test('break-glass access is flagged and reviewed by the hospital', async () => {
  const { alice, bob, ferdie } = accounts;
  await submit(api, api.tx.doctors.registerDoctor(0, ferdie.address, 'Dr Ferdie', 'Emergency medicine', '0x' + '31'.repeat(32), '0x' + '08'.repeat(32)), alice);
  const { events } = await submit(api, api.tx.access.emergencyAccess(bob.address, 'PatientUnconscious'), ferdie);
  const [opened] = eventsOf(api, events, 'access', 'EmergencyAccessOpened');
  assert.equal(opened.data.patient.toString(), bob.address);
  assert.equal(opened.data.hospital.toNumber(), 0);
  const entry = opened.data.entry.toNumber();
  const grant = (await api.query.access.grantOf(bob.address, ferdie.address)).unwrap();
  assert.equal(grant.purpose.type, 'Emergency');
  // Read only (abuse review, attack 5): break-glass never creates records.
  assert.equal(grant.permission.type, 'Read');
  await rejects(api.tx.records.createRecord(bob.address, 'Other', CID, [[bob.address, wrapped(5)], [ferdie.address, wrapped(6)]]), ferdie, 'records.NoWriteAccess');
  assert.equal(grant.expiresAt.unwrap().toNumber() - grant.grantedAt.toNumber(), 4 * 3_600_000);
  assert.ok((await api.query.access.pendingReviews(0, entry)).isSome);

  // The patient's trail shows it, by the doctor, flagged with the hospital and reason.
  const flagged = (await trailOf(bob)).pop();
  assert.equal(flagged.action.type, 'EmergencyAccessOpened');
  assert.equal(flagged.action.asEmergencyAccessOpened.reason.type, 'PatientUnconscious');
  assert.equal(flagged.actor.asAccount.toString(), ferdie.address);

  await rejects(api.tx.access.closeEmergencyReview(0, entry, true), ferdie, 'access.NotHospitalAdmin');
  await submit(api, api.tx.access.closeEmergencyReview(0, entry, true), alice);
  assert.ok((await api.query.access.pendingReviews(0, entry)).isNone);
  const closed = (await trailOf(bob)).pop();
  assert.equal(closed.action.type, 'EmergencyReviewClosed');
  assert.equal(closed.action.asEmergencyReviewClosed.entry.toNumber(), entry);
  assert.equal(closed.actor.asAccount.toString(), alice.address);
});

test('medchain_* JSON-RPC answers in plain JSON, now and at a past block', async () => {
  const { alice, bob, charlie, eve, ferdie } = accounts;
  const { id } = story;
  const call = (method, ...params) => rpcAnswer(chain.node.rpcPort, method, params);
  const ok = async (method, ...params) => {
    const answer = await call(method, ...params);
    assert.equal(answer.error, undefined, `${method} ${JSON.stringify(params)}: ${JSON.stringify(answer.error)}`);
    return answer.result;
  };
  const fails = async (code, pattern, method, ...params) => {
    const { error } = await call(method, ...params);
    assert.ok(error, `${method} ${JSON.stringify(params)} fails`);
    assert.equal(error.code, code, error.message);
    assert.match(error.message, pattern);
  };
  // Accounts come back in SS58 with MedChain's prefix, whatever prefix went in.
  const ss58 = (pair) => encodeAddress(pair.publicKey, 2403);
  const isTime = (t) => Number.isInteger(t.ms) && t.iso === new Date(t.ms).toISOString();
  const METHODS = ['patient', 'doctor', 'hospital', 'record', 'wrappedKey', 'records', 'readers', 'grants',
    'patientsOf', 'requests', 'auditTrail', 'auditByActor', 'auditEntry'].map((m) => `medchain_${m}`);
  const { methods } = await ok('rpc_methods');
  for (const method of METHODS) assert.ok(methods.includes(method), `${method} is listed by rpc_methods`);

  const patient = await ok('medchain_patient', bob.address);
  assert.equal(patient.account, ss58(bob));
  assert.equal(patient.encryptionKey, '0x' + '07'.repeat(32));
  assert.deepEqual([patient.profile, patient.guardians, patient.hospital, patient.registeredBy], [null, [], null, ss58(bob)]);
  assert.ok(isTime(patient.registeredAt));
  assert.deepEqual(await ok('medchain_patient', encodeAddress(bob.publicKey, 42)), patient, 'a generic 5… address works too');

  const doctor = await ok('medchain_doctor', eve.address);
  assert.deepEqual(
    [doctor.account, doctor.hospital, doctor.status, doctor.name, doctor.specialty, doctor.licenceHash],
    [ss58(eve), 0, 'Active', 'Dr Eve Example', 'Cardiology', '0x' + '21'.repeat(32)],
  );
  assert.ok(isTime(doctor.since));

  const hospital = await ok('medchain_hospital', 0);
  assert.deepEqual([hospital.id, hospital.status, hospital.admins, hospital.validator], [0, 'Active', [ss58(alice)], ss58(alice)]);

  // The record now: rotated by the patient (version 3, epoch 1, one reader).
  const record = await ok('medchain_record', id);
  assert.deepEqual(
    [record.id, record.patient, record.author, record.category, record.cid, record.version, record.epoch, record.readers],
    [id, ss58(bob), ss58(eve), 'LabResult', CID, 3, 1, 1],
  );
  assert.deepEqual(record.versions.map((v) => [v.version, v.cid, v.author, v.epoch]), [
    [1, CID, ss58(eve), 0], [2, CID_V2, ss58(eve), 0], [3, CID, ss58(bob), 1],
  ]);
  assert.ok([record.createdAt, record.updatedAt, ...record.versions.map((v) => v.at)].every(isTime));
  assert.equal(record.updatedAt.ms, record.versions[2].at.ms);
  // ... and at the block of the doctor's update, before the revocation.
  const earlier = await ok('medchain_record', id, story.updated);
  assert.deepEqual([earlier.cid, earlier.version, earlier.epoch, earlier.readers], [CID_V2, 2, 0, 2]);

  assert.deepEqual(await ok('medchain_wrappedKey', id, bob.address), { record: id, reader: ss58(bob), epoch: 1, wrapped: wrapped(3) });
  await fails(4004, /holds no key to record/, 'medchain_wrappedKey', id, eve.address);
  assert.deepEqual(await ok('medchain_wrappedKey', id, eve.address, story.updated), { record: id, reader: ss58(eve), epoch: 0, wrapped: wrapped(2) });

  const records = await ok('medchain_records', bob.address);
  assert.deepEqual([records.items.map((r) => r.id), records.next], [[id], null]);
  assert.deepEqual(records.items[0], record);
  assert.deepEqual(await ok('medchain_readers', id), { items: [ss58(bob)], next: null });
  const readersThen = await ok('medchain_readers', id, null, 1, story.updated);
  assert.equal(readersThen.items.length, 1);
  const readersRest = await ok('medchain_readers', id, readersThen.next, 1, story.updated);
  assert.deepEqual([...readersThen.items, ...readersRest.items].sort(), [ss58(bob), ss58(eve)].sort());
  assert.equal(readersRest.next, null);

  // Consent now: Ferdie's break-glass grant; then: Eve's grant.
  const grants = await ok('medchain_grants', bob.address);
  assert.deepEqual(grants.items.map((g) => [g.patient, g.grantee, g.scope, g.permission, g.purpose]), [
    [ss58(bob), ss58(ferdie), { kind: 'all' }, 'Read', 'Emergency'],
  ]);
  assert.equal(grants.items[0].expiresAt.ms - grants.items[0].grantedAt.ms, 4 * 3_600_000);
  const grantsThen = await ok('medchain_grants', bob.address, null, 100, story.updated);
  assert.deepEqual(grantsThen.items.map((g) => [g.grantee, g.scope, g.expiresAt]), [
    [ss58(eve), { kind: 'categories', categories: ['LabResult', 'Diagnosis'] }, null],
  ]);
  assert.deepEqual(await ok('medchain_patientsOf', ferdie.address), { items: [ss58(bob)], next: null });
  assert.deepEqual(await ok('medchain_patientsOf', eve.address), { items: [], next: null });
  assert.deepEqual(await ok('medchain_patientsOf', eve.address, null, 100, story.updated), { items: [ss58(bob)], next: null });
  assert.deepEqual(await ok('medchain_requests', bob.address), { items: [], next: null });
  const requestsThen = await ok('medchain_requests', bob.address, null, 100, story.requested);
  assert.deepEqual(requestsThen.items.map((r) => [r.patient, r.doctor, r.scope.kind, r.permission, r.purpose, r.note]), [
    [ss58(bob), ss58(eve), 'categories', 'ReadWrite', 'Treatment', null],
  ]);
  assert.equal(requestsThen.items[0].expiresAt.ms - requestsThen.items[0].requestedAt.ms, 7 * 24 * 3_600_000);

  // The patient's audit trail, page by page with the hash-chain check, is
  // the one @polkadot/api reads from storage; each hash is BLAKE2b-256 of
  // the SCALE bytes the node returns.
  const stored = await verifiedAuditTrail(api, { Account: bob.address });
  const pages = [];
  for (let from = 0; from !== null;) {
    const page = await ok('medchain_auditTrail', bob.address, from, 4, true);
    assert.equal(page.check.ok, true, page.check.problem);
    assert.equal(page.check.endsAtHead, page.next === null);
    assert.deepEqual([page.len, page.subject], [stored.length, { kind: 'account', account: ss58(bob) }]);
    pages.push(page);
    from = page.next;
  }
  const items = pages.flatMap((p) => p.items);
  assert.deepEqual(items.map((e) => e.seq), stored.map((e) => e.seq.toNumber()));
  assert.ok(items.every((e) => e.hash === blake2AsHex(e.scale, 256)));
  assert.ok(items.slice(1).every((e, i) => e.prev === items[i].hash));
  assert.equal(pages[0].head, (await api.query.audit.subjectTrail({ Account: bob.address })).head.toHex());
  assert.equal(items.at(-1).hash, pages[0].head);
  assert.deepEqual(items[0].action, { type: 'PatientRegistered', hospital: null });
  const opened = items.find((e) => e.action.type === 'EmergencyAccessOpened');
  assert.deepEqual(opened.action, { type: 'EmergencyAccessOpened', hospital: 0, reason: 'PatientUnconscious', expiresAt: opened.at.ms + 4 * 3_600_000 });
  const approvedJson = items.find((e) => e.action.type === 'AccessRequestApproved');
  assert.deepEqual(approvedJson.action, {
    type: 'AccessRequestApproved',
    doctor: ss58(eve),
    terms: { scope: { kind: 'categories', categories: ['LabResult', 'Diagnosis'] }, permission: 'ReadWrite', purpose: 'Treatment', expiresAt: null },
  });
  assert.deepEqual(opened.actor, { kind: 'account', account: ss58(ferdie) });
  assert.ok(isTime(opened.at) && opened.block > 0);
  const revoked = items.find((e) => e.action.type === 'AccessRevoked');
  assert.deepEqual(revoked.action, { type: 'AccessRevoked', grantee: ss58(eve), keysRemoved: 1 });
  // Without `verify`: no SCALE bytes, no check. At the past block: the shorter trail.
  const plain = await ok('medchain_auditTrail', bob.address, 0, 2);
  assert.deepEqual([plain.check, plain.items[0].scale, plain.next], [undefined, undefined, 2]);
  const then = await ok('medchain_auditTrail', bob.address, 0, 100, true, story.updated);
  assert.deepEqual(then.items.map((e) => e.action.type), [
    'PatientRegistered', 'AccessRequested', 'AccessRequestApproved', 'RecordCreated', 'RecordOpened', 'RecordUpdated',
  ]);
  assert.ok(then.check.ok && then.check.endsAtHead);
  const council = await ok('medchain_auditTrail', 'council');
  assert.deepEqual([council.len, council.items], [0, []]);
  // Genesis admitted the dev hospital: root acted, not the council.
  const byRoot = await ok('medchain_auditByActor', 'root');
  assert.deepEqual([byRoot.items[0].action.type, byRoot.items[0].actor], ['HospitalAdmitted', { kind: 'root' }]);
  assert.equal((await ok('medchain_auditTrail', 'hospital:0')).items[0].action.type, 'HospitalAdmitted');

  const byEve = await ok('medchain_auditByActor', eve.address);
  assert.deepEqual(byEve.items.map((e) => e.action.type), [
    'DoctorApplied', 'AccessRequested', 'RecordCreated', 'RecordOpened', 'RecordUpdated',
  ]);
  const { scale: _, ...openedEntry } = opened;
  assert.deepEqual(await ok('medchain_auditEntry', opened.seq), openedEntry);

  // Bad input: named JSON-RPC errors.
  await fails(-32602, /`patient`: "bob" is not an account/, 'medchain_records', 'bob');
  await fails(-32602, /`limit` 101 is over the maximum page size 100/, 'medchain_records', bob.address, null, 101);
  await fails(-32602, /`limit` must be at least 1/, 'medchain_auditTrail', bob.address, 0, 0);
  await fails(-32602, /not an entity/, 'medchain_auditTrail', 'somebody');
  await fails(4004, /no patient/, 'medchain_records', charlie.address);
  await fails(4004, /no patient/, 'medchain_patient', charlie.address);
  await fails(4004, /no doctor/, 'medchain_doctor', bob.address);
  await fails(4004, /no doctor/, 'medchain_patientsOf', charlie.address);
  await fails(4004, /no hospital 7/, 'medchain_hospital', 7);
  await fails(4004, /no record 999/, 'medchain_record', 999);
  await fails(4004, /no record 999/, 'medchain_readers', 999);
  await fails(4004, /no audit entry/, 'medchain_auditEntry', 1_000_000);
  await fails(4004, /unknown block/, 'medchain_patient', bob.address, '0x' + '12'.repeat(32));
});

test("no keys for suspended doctors: a suspension removes the doctor's keys in the blocks' spare time", async () => {
  const { alice, bob, ferdie } = accounts;
  const { id } = story;
  // Ferdie's break-glass grant lets Bob share a record's key with him.
  await submit(api, api.tx.records.shareKeys(bob.address, ferdie.address, [[id, wrapped(9)]]), bob);
  assert.ok((await api.query.records.keysOf(bob.address, ferdie.address, id)).isSome);

  const { events } = await submit(api, api.tx.doctors.suspend(ferdie.address), alice);
  assert.equal(eventsOf(api, events, 'doctors', 'DoctorSuspended').length, 1);
  // Queued by the suspension; removed by a later block's on_idle, with no
  // transaction: wait for that chain condition, not for a time.
  await waitFor('the sweep of Ferdie\'s keys', async () => (await api.query.access.keySweeps(ferdie.address)).isNone);
  assert.ok((await api.query.records.keysOf(bob.address, ferdie.address, id)).isNone);
  const removed = (await trailOf(bob)).pop();
  assert.ok(removed.actor.isRuntime);
  assert.equal(removed.action.type, 'InactiveGranteeKeysRemoved');
  assert.equal(removed.action.asInactiveGranteeKeysRemoved.grantee.toString(), ferdie.address);
  assert.equal(removed.action.asInactiveGranteeKeysRemoved.keysRemoved.toNumber(), 1);
  // The grant stays, counting as absent while he is suspended.
  assert.ok((await api.query.access.grantOf(bob.address, ferdie.address)).isSome);
  await rejects(api.tx.records.openRecord(id), ferdie, 'records.NoReadAccess');
});

// Trust review, attack 3 (one hospital opens any escrowed record through a doctor it made
// up): an admin registered a doctor, active at once, who broke the glass on any patient.
test('one hospital opens records through a made-up doctor: a new doctor waits out the probation, and a hospital\'s doctors share one quota', async () => {
  const { alice, bob } = accounts;
  const madeUp = accountFromUri('//TrustReviewMadeUpDoctor');
  const setStorage = (key, value) => submit(api, api.tx.sudo.sudo(api.tx.system.setStorage([[key, value]])), alice);
  // A consortium's chain has seven days of probation (the dev chain sets none).
  const probation = api.query.access.emergencyProbation.key();
  await setStorage(probation, api.createType('u64', 7 * 24 * 3_600_000).toHex());
  await submit(api, api.tx.doctors.registerDoctor(0, madeUp.address, 'Dr Nobody', 'Emergency medicine', '0x' + '32'.repeat(32), '0x' + '09'.repeat(32)), alice);
  await rejects(api.tx.access.emergencyAccess(bob.address, 'PatientUnconscious'), madeUp, 'access.DoctorOnProbation');
  await setStorage(probation, api.createType('u64', 0).toHex());
  // The hospital's doctors together have opened the day's quota: the next opening is
  // refused, whichever doctor (made up or not) asks.
  const now = (await api.query.timestamp.now()).toNumber();
  const max = api.consts.access.maxEmergenciesPerHospital.toNumber();
  assert.equal(max, 20);
  const openings = api.query.access.hospitalEmergencyOpenings.key(0);
  await setStorage(openings, api.createType('Vec<u64>', Array(max).fill(now)).toHex());
  await rejects(api.tx.access.emergencyAccess(bob.address, 'PatientUnconscious'), madeUp, 'access.HospitalEmergencyQuota');
  assert.ok((await api.query.access.grantOf(bob.address, madeUp.address)).isNone);
  await setStorage(openings, api.createType('Vec<u64>', []).toHex());
});
