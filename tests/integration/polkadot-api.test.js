// The real-client test: @polkadot/api (what Polkadot.js Apps is built on)
// connects to the dev node with no custom types, decodes the metadata, signs
// consortium calls as Alice and waits for finality. Bad input comes back as
// named errors and changes nothing.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { findUnknownExtensions } from '@polkadot/types/extrinsic/signedExtensions';
import { DevChain, submit, eventsOf } from './lib/chain.js';

const chain = new DevChain();
let api;
let accounts;

before(async () => {
  ({ api, accounts } = await chain.start());
});

after(() => chain.stop());

test('the metadata decodes with no custom types and documents every consortium call', async () => {
  assert.equal(api.registry.chainSS58, 2403);
  assert.deepEqual(api.registry.chainTokens, ['MED']);
  const pallet = api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === 'Consortium');
  assert.ok(pallet, 'Consortium pallet in metadata');
  const calls = Object.keys(api.tx.consortium);
  for (const call of ['admitHospital', 'suspendHospital', 'reinstateHospital', 'removeHospital', 'addAdmin', 'removeAdmin', 'setValidator']) {
    assert.ok(calls.includes(call), `consortium.${call} is callable`);
    const docs = api.tx.consortium[call].meta.docs.map(String).join(' ');
    assert.match(docs, /dispatch origin/, `consortium.${call} documents its origin`);
  }
  // Every transaction extension is one @polkadot/api knows or carries no data.
  const extensions = api.registry.signedExtensions;
  assert.ok(extensions.includes('ChargeTransactionPayment'), 'the payment (wrapped by SkipCheckIfFeeless) shows as itself');
  const unknown = findUnknownExtensions(extensions);
  assert.deepEqual(unknown, ['LimitFeelessCalls']);
  for (const meta of api.runtimeMetadata.asLatest.extrinsic.transactionExtensions) {
    if (!unknown.includes(meta.identifier.toString())) continue;
    for (const type of [meta.type, meta.implicit]) {
      const value = api.registry.createType(api.registry.createLookupType(type));
      assert.equal(value.encodedLength, 0, `${meta.identifier} adds nothing to what is signed or sent`);
    }
  }
});

test('Alice signs a consortium call and it is finalized, free of fees as she is an admin', async () => {
  const { alice, charlie } = accounts;
  const { events } = await submit(api, api.tx.consortium.addAdmin(0, charlie.address), alice, { finalized: true });
  assert.equal(eventsOf(api, events, 'skipFeelessPayment', 'FeeSkipped').length, 1, 'the fee was skipped');
  assert.equal(eventsOf(api, events, 'transactionPayment', 'TransactionFeePaid').length, 0);
  const [added] = eventsOf(api, events, 'consortium', 'AdminAdded');
  assert.ok(added, 'AdminAdded emitted');
  assert.equal(added.data.admin.toString(), charlie.address);
  const hospital = (await api.query.consortium.hospitalOf(0)).unwrap();
  assert.ok(hospital.admins.map(String).includes(charlie.address));
});

/** Submit, expect the named error, and check the hospital list did not change. */
async function rejects(tx, signer, expected) {
  const before = JSON.stringify((await api.query.consortium.hospitalOf.entries()).map(([k, v]) => [k.toHex(), v.toHex()]));
  await assert.rejects(submit(api, tx, signer), (e) => {
    assert.equal(e.message, expected);
    return true;
  });
  const afterState = JSON.stringify((await api.query.consortium.hospitalOf.entries()).map(([k, v]) => [k.toHex(), v.toHex()]));
  assert.equal(afterState, before, `${expected} changed nothing`);
}

test('bad input gets named errors and changes nothing', async () => {
  const { alice, bob, eve } = accounts;
  const sudoAdmit = (name, admins, validator) => api.tx.sudo.sudo(api.tx.consortium.admitHospital(name, admins, validator));

  // A non-member cannot govern: only the council (or sudo here) admits.
  await rejects(api.tx.consortium.admitHospital('Eve Clinic', [eve.address], eve.address), eve, 'BadOrigin');
  // A wrong hospital admin.
  await rejects(api.tx.consortium.addAdmin(0, eve.address), bob, 'consortium.NotAdmin');
  // A duplicate name, and an oversized one.
  await rejects(sudoAdmit('MedChain Dev Hospital', [eve.address], eve.address), alice, 'consortium.DuplicateName');
  await rejects(sudoAdmit('x'.repeat(129), [eve.address], eve.address), alice, 'consortium.NameTooLong');
  // Removing or suspending the last validator.
  await rejects(api.tx.sudo.sudo(api.tx.consortium.removeHospital(0)), alice, 'consortium.TooFewValidators');
  await rejects(api.tx.sudo.sudo(api.tx.consortium.suspendHospital(0)), alice, 'consortium.TooFewValidators');
});
