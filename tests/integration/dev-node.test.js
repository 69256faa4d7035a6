// The built `medchain-node --dev`, on free ports and a temporary base path:
// blocks are produced and finalized, RPC answers, a hospital admitted through
// sudo becomes a validator at the next session, and a restart on the same
// base path keeps all state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { DevNode, rpc, bestNumber, finalizedNumber, waitFor } from './lib/node.js';
import { connect, devAccounts, submit, eventsOf } from './lib/chain.js';

const node = new DevNode();
let api;

before(async () => {
  await node.start();
});

after(async () => {
  await api?.disconnect();
  await node.stop();
});

test('blocks are produced and finalized', async () => {
  await waitFor('block 3', async () => (await bestNumber(node.rpcPort)) >= 3);
  await waitFor('a finalized block', async () => (await finalizedNumber(node.rpcPort)) >= 1);
});

test('RPC answers with the chain, its properties and the standard methods', async () => {
  assert.equal(await rpc(node.rpcPort, 'system_chain'), 'MedChain Development');
  assert.equal(await rpc(node.rpcPort, 'system_name'), 'MedChain Node');
  const properties = await rpc(node.rpcPort, 'system_properties');
  assert.deepEqual(properties, { ss58Format: 2403, tokenDecimals: 12, tokenSymbol: 'MED' });
  const { methods } = await rpc(node.rpcPort, 'rpc_methods');
  for (const m of ['author_submitExtrinsic', 'author_rotateKeysWithOwner', 'state_getStorage', 'system_accountNextIndex', 'payment_queryInfo']) {
    assert.ok(methods.includes(m), `rpc_methods lists ${m}`);
  }
  const metrics = await fetch(`http://127.0.0.1:${node.prometheusPort}/metrics`).then((r) => r.text());
  assert.match(metrics, /substrate_block_height/);
});

// What the chain reveals about patients (abuse review): the medchain_* and
// state RPC answer anyone who reaches the port, so by default the node
// listens on loopback only; exposing it is the operator's explicit choice
// (docs/privacy.md).
test('the RPC port listens on loopback only unless the operator opts in', () => {
  const listening = (file) => readFileSync(file, 'utf8').trim().split('\n').slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === '0A') // LISTEN
    .map((fields) => fields[1].split(':'))
    .filter(([, port]) => parseInt(port, 16) === node.rpcPort)
    .map(([address]) => address);
  const v4 = listening('/proc/net/tcp');
  const v6 = existsSync('/proc/net/tcp6') ? listening('/proc/net/tcp6') : [];
  assert.ok(v4.length + v6.length > 0, 'the RPC port is listening');
  assert.deepEqual([...new Set(v4)], v4.length ? ['0100007F'] : [], 'IPv4: 127.0.0.1 only');
  assert.deepEqual([...new Set(v6)], v6.length ? ['00000000000000000000000001000000'] : [], 'IPv6: ::1 only');
});

test('a hospital admitted through sudo becomes a validator at the next session', async () => {
  api = await connect(node.wsUrl);
  const { alice, bob } = devAccounts(api);

  const { events } = await submit(
    api,
    api.tx.sudo.sudo(api.tx.consortium.admitHospital('Bob Teaching Hospital', [bob.address], bob.address)),
    alice,
  );
  const [admitted] = eventsOf(api, events, 'consortium', 'HospitalAdmitted');
  assert.ok(admitted, 'HospitalAdmitted emitted');
  const hospitalId = admitted.data.hospital.toNumber();
  assert.equal(admitted.data.validator.toString(), bob.address);
  const council = await api.query.council.members();
  assert.ok(council.map(String).includes(bob.address), 'the new hospital holds a council seat at once');

  // Bob's node makes session keys and proves they belong to Bob's account;
  // here Bob's node is the same dev node, so it also holds the new keys.
  // The owner is the SCALE encoding of Bob's AccountId32: his public key.
  const owner = `0x${Buffer.from(bob.publicKey).toString('hex')}`;
  const { keys, proof } = await rpc(node.rpcPort, 'author_rotateKeysWithOwner', [owner]);
  await submit(api, api.tx.session.setKeys(keys, proof), bob);

  // Two rotations: the next session plans Bob, the one after enacts him.
  const validators = await waitFor('Bob in the session validators', async () => {
    const current = (await api.query.session.validators()).map(String);
    return current.includes(bob.address) && current;
  }, { timeoutMs: 300_000, intervalMs: 3_000 });
  assert.deepEqual([...validators].sort(), [alice.address, bob.address].sort());
  const aura = await api.query.aura.authorities();
  assert.equal(aura.length, 2, 'both hospitals author blocks');

  const hospital = (await api.query.consortium.hospitalOf(hospitalId)).unwrap();
  assert.equal(hospital.status.toString(), 'Active');
});

test('stopping and restarting on the same base path keeps all state', async () => {
  const before = await bestNumber(node.rpcPort);
  const hospitalsBefore = (await api.query.consortium.hospitalOf.entries()).length;
  const validatorsBefore = (await api.query.session.validators()).map(String);
  const aliceNonceBefore = (await api.query.system.account(devAccounts(api).alice.address)).nonce.toNumber();
  await api.disconnect();
  api = undefined;

  await node.stop();
  await node.start();

  // Blocks continue from where the chain was, not from genesis.
  await waitFor('a block after the restart', async () => (await bestNumber(node.rpcPort)) > before);
  api = await connect(node.wsUrl);
  assert.equal((await api.query.consortium.hospitalOf.entries()).length, hospitalsBefore);
  assert.deepEqual((await api.query.session.validators()).map(String), validatorsBefore);
  assert.equal((await api.query.system.account(devAccounts(api).alice.address)).nonce.toNumber(), aliceNonceBefore);
});
