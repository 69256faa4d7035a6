// `medchain-node consortium-spec`: a real consortium's chain spec from a
// hospitals file (docs/examples/hospitals.json), clear errors for a bad file,
// and a node that boots from the generated spec with the hospitals in place.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevNode, nodeBinary, bestNumber, waitFor } from './lib/node.js';
import { connect } from './lib/chain.js';

const example = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'examples', 'hospitals.json');
const dir = mkdtempSync(join(tmpdir(), 'medchain-spec-'));
let node;
let api;

after(async () => {
  await api?.disconnect();
  await node?.stop();
});

function consortiumSpec(hospitalsFile, output, extra = []) {
  return spawnSync(nodeBinary(), ['consortium-spec', '--hospitals', hospitalsFile, '--output', output, ...extra], {
    encoding: 'utf8',
  });
}

test('the example hospitals file becomes a chain spec with every hospital', () => {
  const out = join(dir, 'spec.json');
  const run = consortiumSpec(example, out);
  assert.equal(run.status, 0, run.stderr);
  const spec = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(spec.name, 'MedChain Example Consortium');
  assert.equal(spec.id, 'medchain_example');
  assert.equal(spec.chainType, 'Live');
  assert.equal(spec.protocolId, 'medchain-example');
  assert.deepEqual(spec.properties, { ss58Format: 2403, tokenDecimals: 12, tokenSymbol: 'MED' });
  // Every hospital's node is a boot node, so none is a single point of failure.
  assert.deepEqual(spec.bootNodes, [
    '/ip4/127.0.0.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp',
    '/ip4/127.0.0.1/tcp/30334/p2p/12D3KooWHdiAxVd8uMQR1hGWXccidmfCwLqcMpGwR6QcTP6QRMuD',
  ]);
  const patch = spec.genesis.runtimeGenesis.patch;
  assert.equal(patch.consortium.hospitals.length, 2);
  assert.equal(patch.session.keys.length, 2);
  assert.equal(patch.nodeAuthorization.nodes.length, 2);
  assert.equal(patch.balances.balances.length, 2);
  assert.equal(patch.sudo.key, null, 'no sudo unless the file names one');
});

test('a bad hospitals file gets an error that says where and what', () => {
  const good = JSON.parse(readFileSync(example, 'utf8'));
  const cases = [
    [(f) => { f.hospitals[1].admins = []; }, 'hospitals[1] (Bob University Hospital): at least one admin is needed'],
    [(f) => { f.hospitals[0].validator = 'not-an-address'; }, "hospitals[0] (Alice Memorial Hospital).validator: 'not-an-address' is not an SS58 account address"],
    [(f) => { f.hospitals[0].sessionKeys.aura = '0x1234'; }, 'must be 32 bytes of hex'],
    [(f) => { f.hospitals[0].peerId = 'nope'; }, "InvalidPeerId: hospitals[0] (Alice Memorial Hospital).peerId: 'nope' is not a libp2p peer id"],
    [(f) => { delete f.hospitals[1].peerId; }, 'missing field `peerId`'],
    [(f) => { f.hospitals[1].addresses = []; }, 'PeerIdWithoutAddress: hospitals[1] (Bob University Hospital) has peerId'],
    [(f) => { f.hospitals[1].peerId = f.hospitals[0].peerId; }, 'DuplicatePeerId: hospitals[1] (Bob University Hospital) and hospitals[0] (Alice Memorial Hospital)'],
    [(f) => { f.hospitals[1].addresses = ['127.0.0.1:30334']; }, "InvalidMultiaddr: hospitals[1] (Bob University Hospital).addresses: '127.0.0.1:30334' is not a multiaddress"],
    [(f) => { f.endowed[0].balance = '-5'; }, "endowed[0].balance: '-5' is not a whole number"],
    [(f) => { f.hospitals = []; }, 'a consortium needs at least one hospital'],
    [(f) => { f.hospitalz = f.hospitals; }, 'unknown field `hospitalz`'],
  ];
  for (const [mutate, message] of cases) {
    const file = structuredClone(good);
    mutate(file);
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(file));
    const run = consortiumSpec(path, join(dir, 'never.json'));
    assert.notEqual(run.status, 0, `${message}: must fail`);
    assert.ok(run.stderr.includes(message), `expected "${message}" in: ${run.stderr}`);
  }
});

test('a node boots from the generated raw spec with the hospitals in place', async () => {
  const raw = join(dir, 'raw.json');
  const run = consortiumSpec(example, raw, ['--raw']);
  assert.equal(run.status, 0, run.stderr);
  node = new DevNode({ chainArgs: ['--chain', raw, '--alice', '--validator', '--force-authoring', '--node-key', '1'.padStart(64, '0')] });
  await node.start();
  await waitFor('block 2 on the consortium chain', async () => (await bestNumber(node.rpcPort)) >= 2);
  api = await connect(node.wsUrl);
  const hospitals = await api.query.consortium.hospitalOf.entries();
  assert.deepEqual(hospitals.map(([, h]) => h.unwrap().name.toUtf8()).sort(), ['Alice Memorial Hospital', 'Bob University Hospital']);
  assert.equal((await api.query.session.validators()).length, 2);
  assert.equal((await api.query.council.members()).length, 2);
});
