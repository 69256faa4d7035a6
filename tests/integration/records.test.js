// Records and consent on the dev node, through @polkadot/api with no custom
// types: the whole seed story of a patient, a doctor and a record, then
// break-glass access and its review.
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
import {
  DevChain, submit, eventsOf, rejectsWithoutAudit, verifiedAuditTrail,
} from './lib/chain.js';

// `ipfs add --cid-version=1` of "hello world\n", and a CIDv0.
const CID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';
const CID_V2 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o';
const wrapped = (tag) => '0x' + tag.toString(16).padStart(2, '0') + 'ab'.repeat(79);

const chain = new DevChain();
let api;
let accounts;

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
  const { events: requested } = await submit(api, api.tx.access.requestAccess(bob.address, scope, 'ReadWrite', 'Treatment', null), eve);
  const [request] = eventsOf(api, requested, 'access', 'AccessRequested');
  assert.equal(request.data.doctor.toString(), eve.address);
  assert.ok((await api.query.access.requestOf(bob.address, eve.address)).isSome);

  // Before consent the doctor cannot write.
  await rejects(api.tx.records.createRecord(bob.address, 'LabResult', CID, [[bob.address, wrapped(1)], [eve.address, wrapped(2)]]), eve, 'records.NoWriteAccess');

  // The patient approves; a grantee cannot approve for them.
  await rejects(api.tx.access.approveRequest(bob.address, eve.address, null, null, null, []), eve, 'access.NotPatientOrGuardian');
  await rejects(api.tx.access.approveRequest(bob.address, eve.address, { Records: [1] }, null, null, []), bob, 'access.NotWithinRequest');
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
  await submit(api, api.tx.records.updateRecord(id, CID_V2), eve);
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
