// @polkadot/api helpers: connect with no custom types, sign, submit, and
// decode dispatch errors by name.

import assert from 'node:assert/strict';
import { DevNode } from './node.js';
import { ApiPromise, WsProvider, Keyring } from '@polkadot/api';
import { base58Decode, blake2AsU8a } from '@polkadot/util-crypto';
import { u8aEq, u8aToHex } from '@polkadot/util';

export async function connect(wsUrl) {
  // No `types`, no `signedExtensions`: exactly what Polkadot.js Apps does.
  const api = await ApiPromise.create({ provider: new WsProvider(wsUrl), noInitWarn: true, throwOnConnect: true });
  return api;
}

export function devAccounts(api) {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 });
  const named = {};
  for (const name of ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie']) {
    named[name.toLowerCase()] = keyring.addFromUri(`//${name}`);
  }
  return named;
}

/**
 * A stand-in for a wrapped key (80 bytes, the length of a real X25519 wrap),
 * for records whose files the test never opens; `tag` tells them apart.
 */
export const wrapped = (tag) => '0x' + tag.toString(16).padStart(2, '0') + 'ab'.repeat(79);

/** The sr25519 account of a secret URI such as `//Doctor1`. */
export function accountFromUri(uri) {
  return new Keyring({ type: 'sr25519' }).addFromUri(uri);
}

/** A dispatch error as `pallet.Error`, e.g. `consortium.NotAdmin`. */
export function errorName(api, dispatchError) {
  if (dispatchError.isModule) {
    const { section, name } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}`;
  }
  return dispatchError.type; // e.g. BadOrigin
}

/**
 * Sign and submit `tx` as `signer`; resolve once it is in a block (or
 * finalized, with `{ finalized: true }`) with its events. Rejects with the
 * error's name if the call failed, including a failed call inside sudo.
 * `nonce` signs with that nonce instead of the account's next one (to send
 * several transactions of one account at once).
 */
export function submit(api, tx, signer, { finalized = false, timeoutMs = 120_000, nonce } = {}) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`transaction ${tx.method.section}.${tx.method.method} not ${finalized ? 'finalized' : 'included'} within ${timeoutMs} ms`));
    }, timeoutMs);
    const done = (fn, value) => {
      clearTimeout(timer);
      unsubscribe();
      fn(value);
    };
    tx.signAndSend(signer, nonce === undefined ? {} : { nonce }, (result) => {
      const { status, events, dispatchError } = result;
      if (status.isInvalid || status.isDropped || status.isUsurped) {
        return done(reject, new Error(`transaction ${status.type}`));
      }
      if (!(finalized ? status.isFinalized : status.isInBlock)) return;
      if (dispatchError) return done(reject, new Error(errorName(api, dispatchError)));
      const sudid = events.find(({ event }) => api.events.sudo?.Sudid?.is(event));
      if (sudid && sudid.event.data[0].isErr) {
        return done(reject, new Error(errorName(api, sudid.event.data[0].asErr)));
      }
      done(resolve, { events, blockHash: finalized ? status.asFinalized : status.asInBlock });
    })
      .then((unsub) => { unsubscribe = unsub; })
      .catch((e) => done(reject, e));
  });
}

/**
 * A libp2p peer id (base58, as `system_localPeerId` answers) in the binary
 * form the chain stores, as hex (a Uint8Array would be read as SCALE, with a
 * length prefix).
 */
export function peerIdBytes(text) {
  return u8aToHex(base58Decode(text));
}

/** The events of `events` that are `pallet.Event`. */
export function eventsOf(api, events, section, method) {
  return events
    .filter(({ event }) => event.section === section && event.method === method)
    .map(({ event }) => event);
}

/** Submit, expect the named error, and check that no audit entry was written. */
export async function rejectsWithoutAudit(api, tx, signer, expected) {
  const before = (await api.query.audit.nextSeq()).toNumber();
  await assert.rejects(submit(api, tx, signer), (e) => {
    assert.equal(e.message, expected);
    return true;
  });
  assert.equal((await api.query.audit.nextSeq()).toNumber(), before, `${expected} wrote no audit entry`);
}

/**
 * Every audit entry about `subject` (e.g. `{ Account: address }`), oldest
 * first, with its hash chain checked the way an auditor's client checks it:
 * each entry names the BLAKE2b-256 of the previous one's SCALE encoding, and
 * the last one hashes to the head the chain stores.
 */
export async function verifiedAuditTrail(api, subject) {
  const trail = await api.query.audit.subjectTrail(subject);
  const entries = [];
  let prev = new Uint8Array(32);
  for (let position = 0; position < trail.len.toNumber(); position++) {
    const seq = (await api.query.audit.subjectEntries(subject, position)).unwrap();
    const entry = (await api.query.audit.entries(seq)).unwrap();
    assert.ok(u8aEq(entry.prev, prev), `entry ${position} links to the one before`);
    prev = blake2AsU8a(entry.toU8a(), 256);
    entries.push(entry);
  }
  assert.ok(u8aEq(prev, trail.head), 'the last entry hashes to the stored head');
  return entries;
}

/** A fresh `--dev` node with an @polkadot/api connection to it. */
export class DevChain {
  constructor() {
    this.node = new DevNode();
  }

  /** Start the node and connect; resolves to `{ api, accounts }`. */
  async start() {
    await this.node.start();
    this.api = await connect(this.node.wsUrl);
    return { api: this.api, accounts: devAccounts(this.api) };
  }

  async stop() {
    await this.api?.disconnect();
    await this.node.stop();
  }
}
