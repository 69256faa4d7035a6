// A hospital's IPFS node as MedChain ships it (ipfs/medchain-ipfs: Helia in
// the consortium's private libp2p network, Kubo RPC API on loopback), on
// free loopback ports, in a fresh repo.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './node.js';

const here = dirname(fileURLToPath(import.meta.url));
const daemon = join(here, '..', '..', '..', 'ipfs', 'medchain-ipfs');

/** A new swarm key file (the go-ipfs/Kubo `swarm.key` format); its path. */
export function newSwarmKey() {
  const dir = mkdtempSync(join(tmpdir(), 'medchain-swarm-'));
  const path = join(dir, 'swarm.key');
  writeFileSync(path, `/key/swarm/psk/1.0.0/\n/base16/\n${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
  return path;
}

export class HospitalIpfs {
  /** `swarmKey`: the consortium's key file; `peers`: other nodes' multiaddrs. */
  constructor({ swarmKey, peers = [] }) {
    this.swarmKey = swarmKey;
    this.peers = peers;
    this.repo = mkdtempSync(join(tmpdir(), 'medchain-hospital-ipfs-'));
  }

  async start() {
    this.apiPort ??= await freePort();
    this.swarmPort ??= await freePort();
    this.logFile = join(this.repo, 'daemon.log');
    const args = ['--repo', this.repo, '--api', String(this.apiPort), '--swarm', String(this.swarmPort), '--swarm-key', this.swarmKey];
    for (const peer of this.peers) args.push('--peer', peer);
    this.process = spawn(daemon, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.process.stdout.pipe(log);
    this.process.stderr.pipe(log);
    this.exited = new Promise((resolve) => this.process.once('exit', resolve));
    const id = await waitFor(`medchain-ipfs on ${this.apiPort} (log: ${this.logFile})`, async () => this.call('id'), { timeoutMs: 60_000, intervalMs: 300 });
    this.peerId = id.ID;
    this.multiaddr = id.Addresses[0];
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** POST a Kubo RPC call; its JSON answer, or a thrown error with the node's message. */
  async call(path, args = {}) {
    const query = new URLSearchParams(args).toString();
    const r = await fetch(`${this.url}/api/v0/${path}${query ? `?${query}` : ''}`, { method: 'POST', signal: AbortSignal.timeout(60_000) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status} ${text}`);
    return JSON.parse(text);
  }

  /** The file `cid`, from this node or through it from its peers. */
  async cat(cid, timeout = '20s') {
    const r = await fetch(`${this.url}/api/v0/cat?arg=${cid}&timeout=${timeout}`, { method: 'POST' });
    if (!r.ok) throw new Error(`cat: HTTP ${r.status} ${await r.text()}`);
    return Buffer.from(await r.arrayBuffer());
  }

  /** Whether this node holds the block `cid` itself (no network). */
  async hasBlock(cid) {
    try {
      await this.call('block/stat', { arg: cid });
      return true;
    } catch (e) {
      if (/not found locally/.test(e.message)) return false;
      throw e;
    }
  }

  async peerIds() {
    return (await this.call('swarm/peers')).Peers.map((p) => p.Peer);
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGTERM');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}
