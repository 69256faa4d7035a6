// Throughput and latency of a MedChain chain, side by side in one run (a
// benchmark, not a test: run through scripts/throughput.sh).
//
// Throughput: for each workload, pre-sign enough transactions to fill three
// blocks by weight (each account its own nonces; a feeless workload at most
// 10 per account, the feeless limit's share), submit them all at once, and
// count, block by block, how many of them each block holds (successful or
// not: the block's weight and length are what bound it). Reports the peak
// per block, the mean over the blocks between the first and the last (the
// ones that start with a full pool), per second (the blocks' own
// timestamps), the bound the block's weight sets (from the call's weight as
// `payment_queryInfo` gives it), and the ratio to plain transfers.
//
// Latency: `records.createRecord` at a steady rate, each submitted with
// `author_submitAndWatchExtrinsic`: the time from submission to the
// `inBlock` and to the `finalized` notification, p50 and p99.
//
// Workloads: `transfer` (balances.transferKeepAlive), `create-1` and
// `create-4` (records.createRecord by a patient with one wrapped key, and
// with four: the patient's and three doctors' holding read grants),
// `grant` (access.grant of a fourth and a fifth doctor), `open` (records.openRecord of
// the patient's own record), and `mixed` (a hospital's day: per account
// one record with four readers, one open, one grant change, one transfer).
//
// The chain may start with records stored (scripts/throughput.sh builds
// such a state with `medchain-node bench-state`); the output says how many.
//
//   node bench/throughput.mjs <ws-url> [accounts] [rate] [seconds]

import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { cryptoWaitReady } from '@polkadot/util-crypto';

const [url, accountsArg, rateArg, secondsArg] = process.argv.slice(2);
if (!url) {
  console.error('usage: node bench/throughput.mjs <ws-url> [accounts] [rate] [seconds]');
  process.exit(2);
}
const ACCOUNTS = Number(accountsArg || 500);
const RATE = Number(rateArg || 50);
const SECONDS = Number(secondsArg || 60);
// The feeless limit is 20 calls per account per window of 10 blocks: a
// workload takes at most 10 of them, and the next starts in a fresh window.
const FEELESS_PER_ACCOUNT = 10;
// Enough transactions to fill this many blocks by weight.
const BLOCKS_TO_FILL = 3;

// A valid CIDv1 (the ipfs-add of a small file) and an 80-byte HPKE-sized key.
const CID = 'bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4';
const WRAPPED = '0x' + 'ab'.repeat(80);

const log = (...args) => console.error(new Date().toISOString().slice(11, 19), ...args);

await cryptoWaitReady();
const api = await ApiPromise.create({ provider: new WsProvider(url), noInitWarn: true });
const keyring = new Keyring({ type: 'sr25519' });
const alice = keyring.addFromUri('//Alice');
const patients = Array.from({ length: ACCOUNTS }, (_, i) => keyring.addFromUri(`//bench//patient//${i}`));
const doctors = Array.from({ length: 5 }, (_, i) => keyring.addFromUri(`//bench//doctor//${i}`));

/** Sign each `[signer, tx]` with consecutive nonces per signer, submit all at once. */
async function submitAll(pairs) {
  const nonces = new Map();
  const signed = [];
  for (const [signer, tx] of pairs) {
    if (!nonces.has(signer.address)) {
      nonces.set(signer.address, (await api.rpc.system.accountNextIndex(signer.address)).toNumber());
    }
    const nonce = nonces.get(signer.address);
    nonces.set(signer.address, nonce + 1);
    signed.push(await tx.signAsync(signer, { nonce, era: 0 }));
  }
  const started = Date.now();
  const hashes = await Promise.all(signed.map((tx) => api.rpc.author.submitExtrinsic(tx).then((h) => h.toHex())));
  return { hashes: new Set(hashes), started };
}

/**
 * Follow best blocks from now until every hash in `hashes` is in one, or
 * `idle` blocks pass without any. Returns per-block counts with timestamps
 * and the failures (ExtrinsicFailed) among them.
 */
function follow(hashes, idle = 5) {
  return new Promise((resolve, reject) => {
    const blocks = [];
    let left = hashes.size;
    let quiet = 0;
    let failed = 0;
    let seen = 0;
    let chain = Promise.resolve();
    const unsubscribe = api.rpc.chain.subscribeNewHeads((header) => {
      chain = chain.then(async () => {
        if (left === 0 || quiet >= idle) return;
        const hash = header.hash;
        const [block, events] = await Promise.all([api.rpc.chain.getBlock(hash), api.query.system.events.at(hash)]);
        let count = 0;
        let at = 0;
        block.block.extrinsics.forEach((ex, index) => {
          if (ex.method.section === 'timestamp') at = ex.method.args[0].toNumber();
          if (!hashes.has(ex.hash.toHex())) return;
          count += 1;
          const fail = events.some(({ phase, event }) => phase.isApplyExtrinsic && phase.asApplyExtrinsic.eqn(index)
            && api.events.system.ExtrinsicFailed.is(event));
          if (fail) failed += 1;
        });
        seen += 1;
        left -= count;
        quiet = count === 0 && seen > 1 ? quiet + 1 : 0;
        if (count > 0) blocks.push({ number: header.number.toNumber(), count, at });
        if (left === 0 || quiet >= idle) {
          (await unsubscribe)();
          resolve({ blocks, left, failed });
        }
      }).catch(reject);
    });
  });
}

/** Wait until `n` more blocks have been produced. */
async function blocksPass(n) {
  const start = (await api.rpc.chain.getHeader()).number.toNumber();
  while ((await api.rpc.chain.getHeader()).number.toNumber() < start + n) {
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Submit `pairs` at once, wait until all are in blocks; throws on failures unless allowed. */
async function run(name, pairs, { allowFailures = false } = {}) {
  const { hashes } = await submitAll(pairs);
  const result = await follow(hashes);
  if (result.left > 0) throw new Error(`${name}: ${result.left} of ${hashes.size} transactions never reached a block`);
  if (result.failed > 0 && !allowFailures) throw new Error(`${name}: ${result.failed} transactions failed`);
  return result;
}

function summary(name, txs, result, bound) {
  const counts = result.blocks.map((b) => b.count);
  const peak = Math.max(...counts);
  const blocks = result.blocks.length;
  // The blocks between the first (which the submission may have caught half
  // way) and the last (which takes what is left) start with a full pool.
  const middle = result.blocks.slice(1, -1);
  const fullMean = middle.length > 0 ? Math.round(middle.reduce((n, b) => n + b.count, 0) / middle.length) : null;
  // Per second over the middle blocks, by their timestamps: from the end of
  // the first block to the end of the last middle one.
  const seconds = middle.length > 0 ? (middle.at(-1).at - result.blocks[0].at) / 1000 : null;
  const perSecond = seconds ? Math.round((middle.reduce((n, b) => n + b.count, 0) / seconds) * 10) / 10 : null;
  return {
    workload: name,
    transactions: txs,
    blocks,
    peakPerBlock: peak,
    fullBlockMean: fullMean,
    perSecond,
    weightBound: bound,
    failed: result.failed,
  };
}

const normal = api.consts.system.blockWeights.perClass.normal;
const NORMAL_MAX = normal.maxTotal.unwrap().refTime.toBigInt();
const BASE_EXTRINSIC = normal.baseExtrinsic.refTime.toBigInt();

/** How many of `tx` (signed by `signer`) one block's normal weight holds. */
async function weightBound(tx, signer) {
  const info = await tx.paymentInfo(signer);
  return Number(NORMAL_MAX / (info.weight.refTime.toBigInt() + BASE_EXTRINSIC));
}

// --- setup: accounts funded, patients registered, doctors approved, grants ---

const recordsAtStart = (await api.query.records.nextRecordId()).toNumber();

log(`setup: ${ACCOUNTS} patients and 5 doctors`);
const UNIT = 10n ** 12n;
await run('fund', [...patients, ...doctors].map((who) => [alice, api.tx.balances.transferKeepAlive(who.address, 1000n * UNIT)]));
await run('register', patients.map((p, i) => [p, api.tx.patients.register('0x' + (i % 255 + 1).toString(16).padStart(2, '0').repeat(32), null)]));
await run('apply', doctors.map((d, i) => [d, api.tx.doctors.apply(0, `Bench Doctor ${i}`, 'Bench', '0x' + (i + 1).toString(16).padStart(2, '0').repeat(32), '0x' + (i + 16).toString(16).padStart(2, '0').repeat(32))]));
await run('approve', doctors.map((d) => [alice, api.tx.doctors.approve(d.address)]));
const readGrant = (p, d) => api.tx.access.grant(p.address, d.address, { All: null }, 'Read', 'Treatment', null);
await run('grants', patients.flatMap((p) => doctors.slice(0, 3).map((d) => [p, readGrant(p, d)])));
await blocksPass(11);

const results = [];
const create = (p, readers) => api.tx.records.createRecord(p.address, 'LabResult', CID, readers.map((r) => [r, WRAPPED]));
const transfer = (i) => api.tx.balances.transferKeepAlive(patients[(i + 1) % ACCOUNTS].address, UNIT);

/**
 * `[signer, tx]` pairs of `make(patient, index)`, enough to fill
 * BLOCKS_TO_FILL blocks by weight, spread over the accounts in turn; at most
 * `perAccount` per account. Returns the pairs and the weight bound.
 */
async function fill(make, perAccount) {
  const bound = await weightBound(make(patients[0], 0), patients[0]);
  const total = Math.min(bound * BLOCKS_TO_FILL, ACCOUNTS * perAccount);
  const pairs = Array.from({ length: total }, (_, n) => [patients[n % ACCOUNTS], make(patients[n % ACCOUNTS], n % ACCOUNTS)]);
  return { pairs, bound };
}

const workloads = [
  // Transfers pay fees, so the feeless limit does not apply.
  ['transfer', () => fill((p, i) => transfer(i), Infinity)],
  ['create-1', () => fill((p) => create(p, [p.address]), FEELESS_PER_ACCOUNT)],
  ['create-4', () => fill((p) => create(p, [p.address, ...doctors.slice(0, 3).map((d) => d.address)]), FEELESS_PER_ACCOUNT)],
  ['grant', async () => {
    const bound = await weightBound(readGrant(patients[0], doctors[3]), patients[0]);
    return { pairs: patients.flatMap((p) => doctors.slice(3).map((d) => [p, readGrant(p, d)])), bound };
  }],
  ['open', async () => {
    const pairs = [];
    for (const p of patients) {
      const page = await api.call.medchainApi.recordsOf(p.address, null, FEELESS_PER_ACCOUNT);
      for (const view of page.items.slice(0, FEELESS_PER_ACCOUNT)) pairs.push([p, api.tx.records.openRecord(view.id)]);
    }
    const bound = await weightBound(pairs[0][1], pairs[0][0]);
    return { pairs: pairs.slice(0, bound * BLOCKS_TO_FILL), bound };
  }],
  ['mixed', async () => {
    const pairs = [];
    for (const [i, p] of patients.entries()) {
      const page = await api.call.medchainApi.recordsOf(p.address, null, 1);
      pairs.push([p, create(p, [p.address, ...doctors.slice(0, 3).map((d) => d.address)])]);
      pairs.push([p, api.tx.records.openRecord(page.items[0].id)]);
      pairs.push([p, api.tx.access.changeGrant(p.address, doctors[3].address, { Categories: ['LabResult'] }, 'Read', 'Treatment', null)]);
      pairs.push([p, transfer(i)]);
    }
    return { pairs, bound: null };
  }],
];

for (const [name, make] of workloads) {
  const { pairs, bound } = await make();
  log(`${name}: ${pairs.length} transactions`);
  const result = await run(name, pairs, { allowFailures: name === 'mixed' });
  results.push(summary(name, pairs.length, result, bound));
  log(JSON.stringify(results.at(-1)));
  // A fresh feeless window for the next workload.
  await blocksPass(11);
}
const transfers = results.find((r) => r.workload === 'transfer');
for (const r of results) r.vsTransfersPerBlock = Math.round((r.peakPerBlock / transfers.peakPerBlock) * 100) / 100;

// --- latency at a steady rate ---

log(`latency: createRecord at ${RATE}/s for ${SECONDS} s`);
const latency = await (async () => {
  const inBlock = [];
  const finalized = [];
  const nonces = await Promise.all(patients.map(async (p) => (await api.rpc.system.accountNextIndex(p.address)).toNumber()));
  const total = RATE * SECONDS;
  // At most 10 per account per 10-block window: spread over the accounts in turn.
  const perWindow = ACCOUNTS * 10;
  if (total > perWindow * Math.floor(SECONDS / 60 + 1)) log('warning: the rate may exceed the feeless limit of 20 per account per minute');
  const waits = [];
  const started = Date.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const i = n % ACCOUNTS;
    const p = patients[i];
    const tx = await create(p, [p.address]).signAsync(p, { nonce: nonces[i]++, era: 0 });
    const t0 = Date.now();
    waits.push(new Promise((resolve) => {
      let unsub;
      tx.send((result) => {
        if (result.status.isInBlock) inBlock.push(Date.now() - t0);
        if (result.status.isFinalized || result.status.isInvalid || result.status.isDropped) {
          if (result.status.isFinalized) finalized.push(Date.now() - t0);
          unsub?.();
          resolve();
        }
      }).then((u) => { unsub = u; }).catch(() => resolve());
    }));
  }
  await Promise.all(waits);
  const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
  return {
    rate: RATE, seconds: SECONDS, sent: total, inBlock: inBlock.length, finalized: finalized.length,
    inBlockP50: pct(inBlock, 0.5), inBlockP90: pct(inBlock, 0.9), inBlockP99: pct(inBlock, 0.99), inBlockMax: pct(inBlock, 1),
    finalizedP50: pct(finalized, 0.5), finalizedP90: pct(finalized, 0.9), finalizedP99: pct(finalized, 0.99), finalizedMax: pct(finalized, 1),
  };
})();

const version = await api.rpc.state.getRuntimeVersion();
const recordsAtEnd = (await api.query.records.nextRecordId()).toNumber();
const out = {
  chain: (await api.rpc.system.chain()).toString(), specVersion: version.specVersion.toNumber(),
  accounts: ACCOUNTS, recordsAtStart, recordsAtEnd, throughput: results, latency,
};
console.log(JSON.stringify(out, null, 2));
console.log();
console.log(`${recordsAtStart} records stored at the start, ${recordsAtEnd} at the end.`);
console.log();
console.log('| workload | transactions | blocks | peak per block | mean of full blocks | per second | weight bound per block | vs transfers (peak) |');
console.log('|---|---|---|---|---|---|---|---|');
const cell = (x) => (x === null || x === undefined ? '–' : x);
for (const r of results) {
  console.log(`| ${r.workload} | ${r.transactions} | ${r.blocks} | ${r.peakPerBlock} | ${cell(r.fullBlockMean)} | ${cell(r.perSecond)} | ${cell(r.weightBound)} | ${r.vsTransfersPerBlock} |`);
}
console.log();
console.log(`Latency of records.createRecord at ${RATE}/s for ${SECONDS} s (${latency.sent} sent, ${latency.finalized} finalized): `
  + `submit to in block p50 ${latency.inBlockP50} ms, p90 ${latency.inBlockP90} ms, p99 ${latency.inBlockP99} ms, max ${latency.inBlockMax} ms; `
  + `submit to finalized p50 ${latency.finalizedP50} ms, p90 ${latency.finalizedP90} ms, p99 ${latency.finalizedP99} ms, max ${latency.finalizedMax} ms.`);
await api.disconnect();
