// Patients, doctors and the audit trail on the dev node, through @polkadot/api
// with no custom types (as Polkadot.js Apps would): every role's calls,
// named errors that change nothing, and the audit hash chain checked the way
// an auditor's client checks it.
//
// Dev chain: Alice is the admin of hospital 0. Bob registers himself; Alice
// registers Charlie with Dave as guardian; Eve applies as a doctor.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { u8aToString } from '@polkadot/util';
import {
  accountFromUri, DevChain, submit, eventsOf, rejectsWithoutAudit, verifiedAuditTrail,
} from './lib/chain.js';

// CIDv1 (raw leaves) of "hello world\n", as `ipfs add --cid-version=1` prints it.
const CID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';
// The same bytes as a CIDv0.
const CID_V0 = 'QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o';
const KEY = '0x' + '07'.repeat(32);
const LICENCE = '0x' + '11'.repeat(32);

const chain = new DevChain();
let api;
let accounts;

before(async () => {
  ({ api, accounts } = await chain.start());
});

after(() => chain.stop());

const rejects = (tx, signer, expected) => rejectsWithoutAudit(api, tx, signer, expected);
const verifiedTrail = (subject) => verifiedAuditTrail(api, subject);

const actions = (entries) => entries.map((e) => e.action.type);

test('the medical pallets are in the metadata, every call documented', () => {
  for (const [pallet, calls] of Object.entries({
    patients: ['register', 'registerAt', 'setProfile', 'rotateKey', 'addGuardian', 'removeGuardian', 'setRepresented', 'approveRecovery', 'approveRecoveryAs', 'cancelRecovery'],
    doctors: ['apply', 'approve', 'reject', 'suspend', 'reinstate', 'registerDoctor', 'updateProfile', 'rotateKey'],
  })) {
    for (const call of calls) {
      assert.ok(api.tx[pallet][call], `${pallet}.${call} is callable`);
      const docs = api.tx[pallet][call].meta.docs.map(String).join(' ');
      assert.match(docs, /dispatch origin/, `${pallet}.${call} documents its origin`);
    }
  }
  // Every call of every MedChain pallet says who may call it: Apps shows these docs to the
  // person about to sign (trust review: `consortium.authorizeUpgrade` had none).
  for (const pallet of ['consortium', 'patients', 'doctors', 'access', 'records']) {
    for (const [name, call] of Object.entries(api.tx[pallet])) {
      const docs = call.meta.docs.map(String).join(' ');
      assert.match(docs, /dispatch origin/, `${pallet}.${name} documents its origin`);
    }
  }
  assert.match(api.tx.consortium.authorizeUpgrade.meta.docs.map(String).join(' '), /runtime upgrade/);
  assert.doesNotMatch(api.tx.consortium.setReleaseKey.meta.docs.map(String).join(' '), /runtime upgrade/);
  // Nobody can write an audit entry: the pallet has no calls.
  assert.equal(api.tx.audit, undefined);
});

test('a patient registers themself with an encrypted profile CID', async () => {
  const { bob } = accounts;
  const { events } = await submit(api, api.tx.patients.register(KEY, CID), bob);
  const [registered] = eventsOf(api, events, 'patients', 'PatientRegistered');
  assert.equal(registered.data.patient.toString(), bob.address);
  assert.ok(registered.data.hospital.isNone);
  const patient = (await api.query.patients.patientOf(bob.address)).unwrap();
  assert.equal(patient.encryptionKey.toHex(), KEY);
  assert.equal(u8aToString(patient.profile.unwrap()), CID);
  assert.deepEqual(actions(await verifiedTrail({ Account: bob.address })), ['PatientRegistered']);

  await rejects(api.tx.patients.register(KEY, null), bob, 'patients.AlreadyRegistered');
  await rejects(api.tx.patients.setProfile(bob.address, 'Qm-not-a-cid'), bob, 'patients.MalformedCid');
  await rejects(api.tx.patients.register('0x' + '00'.repeat(32), null), accounts.ferdie, 'patients.InvalidEncryptionKey');
});

test('a hospital invites a patient, who registers and names a guardian, who then acts for them', async () => {
  const { alice, charlie, dave, ferdie } = accounts;
  // Desk registration without consent (abuse review, attack 6): no call
  // registers another account; the desk invites and the person registers.
  assert.equal(api.tx.patients.registerPatient, undefined);
  await rejects(api.tx.consortium.invite(0, charlie.address, 'Patient'), ferdie, 'consortium.NotAdmin');
  await submit(api, api.tx.consortium.invite(0, charlie.address, 'Patient'), alice);
  // Bob's profile names CID: no other patient's profile may (trust review, attack 4).
  await rejects(api.tx.patients.registerAt(0, KEY, CID), charlie, 'patients.CidInUse');
  await submit(api, api.tx.patients.registerAt(0, KEY, null), charlie);
  await submit(api, api.tx.patients.addGuardian(charlie.address, dave.address), charlie);
  await submit(api, api.tx.patients.setProfile(charlie.address, CID_V0), dave);
  await rejects(api.tx.patients.setProfile(charlie.address, null), ferdie, 'patients.NotPatientOrGuardian');
  // Guardian takeover (abuse review, attack 3): the guardian acts for the
  // patient but can neither replace the patient's key nor name guardians.
  await rejects(api.tx.patients.rotateKey(charlie.address, KEY), dave, 'patients.NotPatient');
  await rejects(api.tx.patients.addGuardian(charlie.address, ferdie.address), dave, 'patients.MayNotManageGuardians');

  const patient = (await api.query.patients.patientOf(charlie.address)).unwrap();
  assert.equal(patient.hospital.unwrap().toNumber(), 0, 'registered at the inviting hospital');
  assert.equal(patient.registeredBy.toString(), charlie.address);
  assert.deepEqual(patient.guardians.map(String), [dave.address]);
  assert.equal(u8aToString(patient.profile.unwrap()), CID_V0);

  const entries = await verifiedTrail({ Account: charlie.address });
  assert.deepEqual(actions(entries), ['PatientRegistered', 'GuardianAdded', 'PatientProfileUpdated']);
  assert.deepEqual(entries.map((e) => e.actor.asAccount.toString()), [charlie.address, charlie.address, dave.address]);
  assert.ok(entries.every((e) => e.at.toNumber() > 1_600_000_000_000), 'entries carry chain time');
});

test('a doctor applies, an admin of the hospital approves and suspends', async () => {
  const { alice, bob, eve } = accounts;
  await submit(api, api.tx.doctors.apply(0, 'Dr Eve Example', 'Cardiology', LICENCE, KEY), eve);
  let doctor = (await api.query.doctors.doctorOf(eve.address)).unwrap();
  assert.equal(doctor.status.type, 'Pending');
  assert.equal(u8aToString(doctor.name), 'Dr Eve Example');

  await rejects(api.tx.doctors.approve(eve.address), bob, 'doctors.NotHospitalAdmin');
  await rejects(api.tx.doctors.approve(eve.address), eve, 'doctors.NotHospitalAdmin');

  const { events } = await submit(api, api.tx.doctors.approve(eve.address), alice);
  // Approval claims the licence (abuse review, attack 8): only then is it taken.
  await rejects(api.tx.doctors.apply(0, 'Dr Bob', 'GP', LICENCE, KEY), bob, 'doctors.LicenceInUse');
  const [approved] = eventsOf(api, events, 'doctors', 'DoctorApproved');
  assert.equal(approved.data.hospital.toNumber(), 0);
  await submit(api, api.tx.doctors.suspend(eve.address), alice);
  doctor = (await api.query.doctors.doctorOf(eve.address)).unwrap();
  assert.equal(doctor.status.type, 'Suspended');
  assert.ok((await api.query.doctors.doctorsOf(0, eve.address)).isSome);

  const entries = await verifiedTrail({ Account: eve.address });
  assert.deepEqual(actions(entries), ['DoctorApplied', 'DoctorApproved', 'DoctorSuspended']);
  // Alice's own list of actions, by actor: Charlie's invitation, Eve's
  // approval and suspension.
  const aliceActions = (await api.query.audit.actorEntryCount({ Account: alice.address })).toNumber();
  assert.ok(aliceActions >= 3, `Alice acted at least 3 times (got ${aliceActions})`);
});

test("the hospital's trail starts at its genesis admission by root", async () => {
  const entries = await verifiedTrail({ Hospital: 0 });
  assert.equal(entries[0].action.type, 'HospitalAdmitted');
  assert.ok(entries[0].actor.isRoot);
  assert.equal(entries[0].block.toNumber(), 0);
});

// Trust review, attack 2 (one hospital recovers any of its patients' keys): while a patient
// was represented, the hospital's admin added two guardians, one approved the recovery to the
// other, and every release service handed over all of the patient's keys at once; and a
// hospital that invited an address first became its hospital.
test('one hospital recovers keys: its own people cannot approve a recovery; another hospital starts the delay, a guardian the patient named cancels it', async () => {
  const { alice } = accounts;
  const [patient, named, madeUp, holder, otherAdmin, otherValidator, newcomer] =
    ['Patient', 'Named', 'MadeUp', 'Holder', 'OtherAdmin', 'OtherValidator', 'Newcomer']
      .map((who) => accountFromUri(`//TrustReview${who}`));
  // A second hospital, whose admin is nobody of hospital 0.
  await submit(api, api.tx.balances.transferKeepAlive(otherAdmin.address, 10n ** 15n), alice);
  await submit(api, api.tx.sudo.sudo(api.tx.consortium.admitHospital('Other Hospital', [otherAdmin.address], otherValidator.address)), alice);
  const other = (await api.query.consortium.nextHospitalId()).toNumber() - 1;

  // A patient of hospital 0, with a guardian she named herself.
  await submit(api, api.tx.consortium.invite(0, patient.address, 'Patient'), alice);
  await submit(api, api.tx.patients.registerAt(0, KEY, null), patient);
  await submit(api, api.tx.patients.addGuardian(patient.address, named.address), patient);
  // Hospital 0 records that she cannot act and names two guardians of its own choosing,
  // one a registered patient to receive her keys.
  await submit(api, api.tx.patients.setRepresented(0, patient.address, true), alice);
  await submit(api, api.tx.patients.addGuardian(patient.address, madeUp.address), alice);
  await submit(api, api.tx.consortium.invite(0, holder.address, 'Patient'), alice);
  await submit(api, api.tx.patients.registerAt(0, KEY, null), holder);
  await submit(api, api.tx.patients.addGuardian(patient.address, holder.address), alice);

  // Nobody of hospital 0 approves: not a guardian it named (`approveRecovery` is the
  // council's, not free for a role holder, and this guardian has no tokens), not its admin.
  await assert.rejects(submit(api, api.tx.patients.approveRecovery(patient.address, holder.address), madeUp), /Inability to pay some fees/);
  await rejects(api.tx.patients.approveRecovery(patient.address, holder.address), alice, 'BadOrigin');
  await rejects(api.tx.patients.approveRecoveryAs(0, patient.address, holder.address), alice, 'patients.SameHospital');
  await rejects(api.tx.patients.approveRecoveryAs(other, patient.address, holder.address), alice, 'patients.NotHospitalAdmin');
  assert.ok((await api.query.patients.recoveries(patient.address)).isNone);

  // The other hospital approves: the recovery waits out the chain's delay (12 s on the dev
  // chain, three days on a consortium's).
  const { events } = await submit(api, api.tx.patients.approveRecoveryAs(other, patient.address, holder.address), otherAdmin);
  const [approved] = eventsOf(api, events, 'patients', 'RecoveryApproved');
  const recovery = (await api.query.patients.recoveries(patient.address)).unwrap();
  assert.ok(recovery.holder.eq(holder.address), 'the holder is the new account');
  assert.deepEqual(recovery.approvedBy.toJSON(), { hospital: other });
  assert.equal(recovery.effectiveAt.toNumber() - recovery.approvedAt.toNumber(), 12_000);
  assert.equal(approved.data.effectiveAt.toNumber(), recovery.effectiveAt.toNumber());
  assert.equal((await api.query.patients.recoveryDelay()).toNumber(), 12_000);

  // The guardian hospital 0 named cannot cancel it, and hospital 0 cannot remove the
  // guardian she named while it is pending; that guardian cancels it.
  await rejects(api.tx.patients.cancelRecovery(patient.address), madeUp, 'patients.MayNotCancelRecovery');
  await rejects(api.tx.patients.removeGuardian(patient.address, named.address), alice, 'patients.RecoveryPending');
  const cancelled = await submit(api, api.tx.patients.cancelRecovery(patient.address), named);
  assert.equal(eventsOf(api, cancelled.events, 'patients', 'RecoveryCancelled').length, 1);
  assert.ok((await api.query.patients.recoveries(patient.address)).isNone);
  const trail = await verifiedTrail({ Account: patient.address });
  const recoveryEntries = trail.filter((e) => e.action.type.startsWith('KeyRecovery'));
  const actor = (e) => (e.actor.isHospital ? `hospital ${e.actor.asHospital}` : e.actor.asAccount.toString());
  assert.deepEqual(recoveryEntries.map((e) => [actor(e), e.action.type]), [
    [`hospital ${other}`, 'KeyRecoveryApproved'],
    [api.createType('AccountId', named.address).toString(), 'KeyRecoveryCancelled'],
  ]);

  // Inviting first makes no hospital anyone's: the other hospital invites the newcomer,
  // hospital 0 invites them too (the two stand side by side, neither replaces the other),
  // and the newcomer names hospital 0; the other's invitation is left unused.
  await submit(api, api.tx.consortium.invite(other, newcomer.address, 'Patient'), otherAdmin);
  await rejects(api.tx.consortium.invite(other, newcomer.address, 'Patient'), otherAdmin, 'consortium.AlreadyInvited');
  await submit(api, api.tx.consortium.invite(0, newcomer.address, 'Patient'), alice);
  await submit(api, api.tx.patients.registerAt(0, KEY, null), newcomer);
  assert.equal((await api.query.patients.patientOf(newcomer.address)).unwrap().hospital.unwrap().toNumber(), 0);
  assert.ok((await api.query.consortium.invitations(newcomer.address, other)).isSome);
});
