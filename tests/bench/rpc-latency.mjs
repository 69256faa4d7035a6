// JSON-RPC latency of the `medchain_*` query methods against a node loaded
// with `medchain-node bench-state` (run through scripts/rpc-latency.sh).
//
// One client, one request at a time over HTTP keep-alive: the time from
// sending a request to having parsed its whole answer, as a curl-style
// client sees it. Reports p50/p90/p99/max per method and the answer size.
//
//   node bench/rpc-latency.mjs <rpc-port> <patients> <samples>

import { blake2AsU8a } from '@polkadot/util-crypto';
import { u8aConcat, u8aToHex, stringToU8a } from '@polkadot/util';

const [port, patients, samples] = process.argv.slice(2).map(Number);
if (!port || !patients || !samples) {
  console.error('usage: node bench/rpc-latency.mjs <rpc-port> <patients> <samples>');
  process.exit(2);
}

/** Synthetic patient `i`, derived as `medchain-node bench-state` does. */
function patient(i) {
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, i, true);
  return u8aToHex(blake2AsU8a(u8aConcat(stringToU8a('medchain-bench-patient'), index), 256));
}

let id = 0;
async function call(method, params) {
  const started = process.hrtime.bigint();
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
  });
  const text = await response.text();
  const body = JSON.parse(text);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (body.error) throw new Error(`${method} ${JSON.stringify(params)}: ${JSON.stringify(body.error)}`);
  return { ms, bytes: text.length, result: body.result };
}

// A fixed pseudo-random sequence, so that runs ask the same questions.
let seed = 42;
const random = (n) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(name, makeParams, check) {
  for (let i = 0; i < Math.min(50, samples); i++) await call(...makeParams()); // warm-up
  const times = [];
  let bytes = 0;
  for (let i = 0; i < samples; i++) {
    const [method, params] = makeParams();
    const answer = await call(method, params);
    check(answer.result);
    times.push(answer.ms);
    bytes += answer.bytes;
  }
  times.sort((a, b) => a - b);
  const row = [name, samples, ...[50, 90, 99].map((p) => percentile(times, p).toFixed(2)), times.at(-1).toFixed(2), Math.round(bytes / samples)];
  console.log(`| ${row.join(' | ')} |`);
}

const { result: first } = await call('medchain_auditTrail', [patient(0), 0, 1]);
const trailLen = first.len;
const recordsPerPatient = (await call('medchain_records', [patient(0), null, 100])).result.items.length;
console.log(`${patients} patients, ${recordsPerPatient}+ records and ${trailLen} audit entries each; ${samples} samples per row\n`);
console.log('| query | samples | p50 ms | p90 ms | p99 ms | max ms | answer bytes |');
console.log('|---|---|---|---|---|---|---|');

await measure('`medchain_records`, 100 per page', () => ['medchain_records', [patient(random(patients)), null, 100]],
  (r) => { if (r.items.length !== Math.min(100, recordsPerPatient)) throw new Error('short page'); });
await measure('`medchain_records`, 10 per page', () => ['medchain_records', [patient(random(patients)), null, 10]],
  (r) => { if (r.items.length !== 10) throw new Error('short page'); });
await measure('`medchain_auditTrail`, 100 per page', () => ['medchain_auditTrail', [patient(random(patients)), random(trailLen - 100), 100]],
  (r) => { if (r.items.length !== 100) throw new Error('short page'); });
await measure('`medchain_auditTrail`, 100 per page, `verify`', () => ['medchain_auditTrail', [patient(random(patients)), random(trailLen - 100), 100, true]],
  (r) => { if (!r.check.ok) throw new Error(r.check.problem); });
await measure('`medchain_auditTrail`, 10 per page', () => ['medchain_auditTrail', [patient(random(patients)), random(trailLen - 10), 10]],
  (r) => { if (r.items.length !== 10) throw new Error('short page'); });
await measure('`medchain_patient`', () => ['medchain_patient', [patient(random(patients))]], () => {});
