// Who pays, on a real dev node through @polkadot/api with no custom types:
// role holders' MedChain calls are free, an invitation makes registration
// free, everyone else pays, and free calls are rate-limited per window.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Keyring } from '@polkadot/api';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import { DevChain, submit, eventsOf, wrapped } from './lib/chain.js';

const CID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';
const KEY = '0x' + '07'.repeat(32);
const MEDCHAIN_PALLETS = ['consortium', 'patients', 'doctors', 'access', 'records'];
// What the node answers when the payment (or the nonce an account without
// any balance or role cannot keep) is refused.
const PAYMENT_ERROR = /1010: Invalid Transaction: Inability to pay some fees/;

const chain = new DevChain();
let api;
let accounts;
let keyring;

before(async () => {
  ({ api, accounts } = await chain.start());
  keyring = new Keyring({ type: 'sr25519', ss58Format: 2403 });
});

after(() => chain.stop());

/** A freshly generated account: nobody has ever sent it anything. */
const fresh = () => keyring.addFromUri(mnemonicGenerate());
const balanceOf = async (pair) => (await api.query.system.account(pair.address)).data.free.toBigInt();

/** Submit; check that no fee was charged (and that the payment was skipped). */
async function submitFree(tx, signer) {
  const result = await submit(api, tx, signer);
  assert.equal(eventsOf(api, result.events, 'transactionPayment', 'TransactionFeePaid').length, 0, `${tx.method.section}.${tx.method.method} paid no fee`);
  assert.equal(eventsOf(api, result.events, 'skipFeelessPayment', 'FeeSkipped').length, 1, `${tx.method.section}.${tx.method.method} skipped the payment`);
  return result;
}

/** Sign `tx` as `signer` and hand it to the pool; resolves to the pool's answer. */
async function poolAnswer(tx, signer, options = {}) {
  await tx.signAsync(signer, options);
  return api.rpc.author.submitExtrinsic(tx);
}

const bestNumber = async () => (await api.rpc.chain.getHeader()).number.toNumber();

/** Resolve once the best block's number is at least `n` (blocks, not time). */
async function bestAtLeast(n) {
  while (await bestNumber() < n) await new Promise((resolve) => setTimeout(resolve, 500));
}

test('an invited account with no tokens registers, grants access and uploads a record; its balance stays zero', async () => {
  const { alice } = accounts;
  const patient = fresh();
  const doctor = fresh();
  assert.equal(await balanceOf(patient), 0n);

  // Alice, admin of hospital 0, pays nothing either: she holds a role.
  await submitFree(api.tx.consortium.invite(0, patient.address, 'Patient'), alice);
  const invitation = (await api.query.consortium.invitations(patient.address, 0)).unwrap();
  assert.equal(invitation.role.type, 'Patient');
  await submitFree(api.tx.doctors.registerDoctor(0, doctor.address, 'Dr Manal', 'Cardiology', '0x' + '41'.repeat(32), KEY), alice);

  const { events } = await submitFree(api.tx.patients.registerAt(0, KEY, null), patient);
  assert.equal(eventsOf(api, events, 'patients', 'PatientRegistered').length, 1);
  assert.ok((await api.query.consortium.invitations(patient.address, 0)).isNone, 'the invitation is used up');
  await submitFree(api.tx.access.grant(patient.address, doctor.address, { Categories: ['LabResult'] }, 'ReadWrite', 'Treatment', null), patient);
  const { events: created } = await submitFree(api.tx.records.createRecord(patient.address, 'LabResult', CID, [[patient.address, wrapped(1)], [doctor.address, wrapped(2)]]), patient);
  assert.equal(eventsOf(api, created, 'records', 'RecordCreated').length, 1);

  assert.equal(await balanceOf(patient), 0n, 'the patient never held a token');
  assert.equal(await balanceOf(doctor), 0n);
  assert.equal((await api.query.system.account(patient.address)).nonce.toNumber(), 3);
});

test('an unknown account with no tokens can neither register nor call any MedChain pallet', async () => {
  const stranger = fresh();
  await assert.rejects(poolAnswer(api.tx.patients.register(KEY, null), stranger), PAYMENT_ERROR);

  // Every call of every MedChain pallet, with default arguments: the pool
  // refuses each before it is even dispatched.
  let calls = 0;
  for (const section of MEDCHAIN_PALLETS) {
    for (const [method, fn] of Object.entries(api.tx[section])) {
      const args = fn.meta.args.map((arg) => api.createType(arg.type.toString()));
      await assert.rejects(poolAnswer(fn(...args), stranger, { nonce: 0 }), PAYMENT_ERROR, `${section}.${method}`);
      calls += 1;
    }
  }
  assert.ok(calls >= 40, `tried ${calls} calls`);
  assert.ok((await api.query.patients.patientOf(stranger.address)).isNone);

  // With tokens but no role, registering pays the fee.
  const { dave } = accounts;
  const before = await balanceOf(dave);
  const { events } = await submit(api, api.tx.patients.register(KEY, null), dave);
  assert.equal(eventsOf(api, events, 'transactionPayment', 'TransactionFeePaid').length, 1);
  assert.ok(await balanceOf(dave) < before, 'Dave paid to register');
});

test('a suspended doctor loses the fee exemption', async () => {
  const { alice, ferdie } = accounts;
  const broke = fresh();
  await submitFree(api.tx.doctors.registerDoctor(0, broke.address, 'Dr Broke', 'Surgery', '0x' + '51'.repeat(32), KEY), alice);
  await submitFree(api.tx.doctors.registerDoctor(0, ferdie.address, 'Dr Ferdie', 'Emergency medicine', '0x' + '52'.repeat(32), KEY), alice);
  await submitFree(api.tx.doctors.rotateKey('0x' + '08'.repeat(32)), broke);
  await submitFree(api.tx.doctors.rotateKey('0x' + '08'.repeat(32)), ferdie);

  await submitFree(api.tx.doctors.suspend(broke.address), alice);
  await submitFree(api.tx.doctors.suspend(ferdie.address), alice);
  // No tokens: the pool refuses. Tokens: the call pays like anyone's.
  await assert.rejects(poolAnswer(api.tx.doctors.rotateKey('0x' + '09'.repeat(32)), broke), PAYMENT_ERROR);
  const before = await balanceOf(ferdie);
  const { events } = await submit(api, api.tx.doctors.rotateKey('0x' + '09'.repeat(32)), ferdie);
  assert.equal(eventsOf(api, events, 'transactionPayment', 'TransactionFeePaid').length, 1);
  assert.ok(await balanceOf(ferdie) < before, 'Ferdie paid');

  // Reinstated, free again.
  await submitFree(api.tx.doctors.reinstate(broke.address), alice);
  await submitFree(api.tx.doctors.rotateKey('0x' + '0a'.repeat(32)), broke);
});

test('a patient over the rate limit gets the named rejection; the next window accepts again', async () => {
  const { alice } = accounts;
  const window = api.consts.feeless.window.toNumber();
  const max = api.consts.feeless.maxCallsPerWindow.toNumber();
  const RATE_LIMITED = /1010: Invalid Transaction: Custom error: 1/;
  const windowOf = (block) => Math.floor(block / window);
  const patient = fresh();
  await submitFree(api.tx.consortium.invite(0, patient.address, 'Patient'), alice);
  await submitFree(api.tx.patients.registerAt(0, KEY, null), patient);
  const setProfile = () => api.tx.patients.setProfile(patient.address, null);

  // Use up the window: every call the limit allows, all at once, in order.
  // The pool validates for the block after the best one, and a window is
  // `window` blocks, so a window can end while the calls wait: then the
  // count is checked again and the next window is filled up instead.
  let limitedIn;
  for (let attempt = 0; attempt < 3 && limitedIn === undefined; attempt++) {
    const best = await bestNumber();
    const usage = (await api.query.feeless.feelessCalls(patient.address)).unwrapOr(null);
    const used = usage && usage.window.toNumber() === windowOf(best + 1) ? usage.calls.toNumber() : 0;
    // A MedChain (prefix 2403) address, as Apps shows it, in a standard RPC.
    const first = (await api.rpc.system.accountNextIndex(patient.address)).toNumber();
    const results = await Promise.all(
      Array.from({ length: max - used }, (_, i) => submit(api, setProfile(), patient, { nonce: first + i }).then(() => 'in', (e) => e.message)),
    );
    assert.ok(results.every((r) => r === 'in' || r.startsWith('transaction')), `calls within the limit: ${results}`);
    const now = await bestNumber();
    const after = (await api.query.feeless.feelessCalls(patient.address)).unwrap();
    if (after.window.toNumber() !== windowOf(now + 1) || after.calls.toNumber() < max) continue;
    try {
      await poolAnswer(setProfile(), patient);
      // Accepted: only possible if a new window began between the read and
      // the submission; the chain proves which.
      assert.notEqual(windowOf(await bestNumber() + 1), windowOf(now + 1), 'a call over the limit was accepted');
    } catch (e) {
      assert.match(e.message, RATE_LIMITED);
      limitedIn = windowOf(now + 1);
    }
  }
  assert.notEqual(limitedIn, undefined, 'the call over the limit was refused');

  // The first block of the next window accepts the patient's calls again.
  await bestAtLeast((limitedIn + 1) * window - 1);
  await submitFree(setProfile(), patient);
  const usage = (await api.query.feeless.feelessCalls(patient.address)).unwrap();
  assert.ok(usage.window.toNumber() > limitedIn);
});

// Attack 1 of the abuse review: an invited patient with no tokens sent
// `records.createRecord` with a 3.5 MB CID. It failed in dispatch
// (`CidTooLong`) but was included for free, filling blocks for everyone.
test('free block stuffing: an oversized CID in a free call is refused by the pool and never included', async () => {
  const { alice } = accounts;
  const patient = fresh();
  await submitFree(api.tx.consortium.invite(0, patient.address, 'Patient'), alice);
  await submitFree(api.tx.patients.registerAt(0, KEY, null), patient);
  const huge = 'b' + 'a'.repeat(3_500_000);
  const stuffing = [
    api.tx.records.createRecord(patient.address, 'LabResult', huge, [[patient.address, wrapped(1)]]),
    api.tx.patients.setProfile(patient.address, huge),
  ];
  // The runtime cannot decode either (a bounded argument over its bound), so
  // the pool's validity check fails: "1002: Verification Error".
  for (const tx of stuffing) {
    await assert.rejects(poolAnswer(tx, patient), /1002: Verification Error/, `${tx.method.section}.${tx.method.method}`);
  }
  const pending = await api.rpc.author.pendingExtrinsics();
  assert.ok(pending.every((xt) => xt.encodedLength < 100_000), 'nothing oversized waits in the pool');
  // The next blocks hold nothing from the patient (its registration is at or
  // before the best block when the calls were refused), and nothing oversized.
  const from = await bestNumber();
  await bestAtLeast(from + 2);
  for (let n = from; n <= from + 2; n++) {
    const block = await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(n));
    assert.ok(block.block.extrinsics.every((xt) => xt.encodedLength < 100_000), `block ${n} holds nothing oversized`);
    if (n > from) {
      assert.ok(block.block.extrinsics.every((xt) => !xt.isSigned || xt.signer.toString() !== patient.address), `block ${n} holds no call of the patient`);
    }
  }
  assert.equal(await balanceOf(patient), 0n);
});

test('free block stuffing: bulk data costs a paying account real money', async () => {
  const { dave } = accounts;
  const UNIT = 10n ** 12n;
  const info = await api.tx.system.remark('0x' + '00'.repeat(1 << 20)).paymentInfo(dave);
  assert.ok(info.partialFee.toBigInt() >= 10n * UNIT, `a 1 MiB remark costs ${info.partialFee.toHuman()}`);
});

// Attack 2: a patient named any account a guardian, which made it a role
// holder, so it registered as a patient for free, and named the next one.
test('Sybil role holders through guardianship: the chain of free registrations fails at the first step', async () => {
  const { alice } = accounts;
  const patient = fresh();
  const sybil = fresh();
  await submitFree(api.tx.consortium.invite(0, patient.address, 'Patient'), alice);
  await submitFree(api.tx.patients.registerAt(0, KEY, null), patient);
  await submitFree(api.tx.patients.addGuardian(patient.address, sybil.address), patient);
  await assert.rejects(poolAnswer(api.tx.patients.register(KEY, null), sybil), PAYMENT_ERROR);
  assert.ok((await api.query.patients.patientOf(sybil.address)).isNone);
});

/** Sign and send; once in a block, its events and dispatch error (if the call failed). */
function included(tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe;
    tx.signAndSend(signer, ({ status, events, dispatchError }) => {
      if (status.isInvalid || status.isDropped || status.isUsurped) reject(new Error(`transaction ${status.type}`));
      else if (status.isInBlock) resolve({ events, dispatchError });
      else return;
      unsubscribe?.();
    }).then((u) => { unsubscribe = u; }, reject);
  });
}

// Attack 1 of the trust review (free block stuffing by weight): a feeless call that
// failed early was charged its declared worst case: `declineGrant` of a grant that does
// not exist about 204 ms, so four free accounts filled every block.
test('free block stuffing by weight: a free call that fails early is charged what it did, not its worst case', async () => {
  const { alice } = accounts;
  const patient = fresh();
  const nobody = fresh();
  await submitFree(api.tx.consortium.invite(0, patient.address, 'Patient'), alice);
  await submitFree(api.tx.patients.registerAt(0, KEY, null), patient);
  const calls = [
    api.tx.access.declineGrant(nobody.address),
    api.tx.access.revoke(patient.address, nobody.address),
    api.tx.patients.removeGuardian(patient.address, nobody.address),
    api.tx.records.eraseRecord(4_000_000),
  ];
  for (const tx of calls) {
    const declared = (await tx.paymentInfo(patient)).weight.refTime.toBigInt();
    const { events, dispatchError } = await included(tx, patient);
    assert.ok(dispatchError, `${tx.method.section}.${tx.method.method} failed`);
    const [failed] = eventsOf(api, events, 'system', 'ExtrinsicFailed');
    const charged = failed.data.dispatchInfo.weight.refTime.toBigInt();
    assert.ok(charged * 2n < declared, `${tx.method.section}.${tx.method.method}: charged ${charged} of ${declared} declared`);
  }
  // The patient's window holds what the calls used, far under its budget.
  const usage = (await api.query.feeless.feelessCalls(patient.address)).unwrap();
  const budget = api.consts.feeless.maxWeightPerWindow.refTime.toBigInt();
  assert.ok(usage.weight.refTime.toBigInt() * 20n < budget, `window usage ${usage.weight.refTime} of ${budget}`);
  assert.equal(await balanceOf(patient), 0n);
});
