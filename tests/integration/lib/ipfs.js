// A js-ipfs daemon (npm `ipfs@0.66.1`): a real, independent IPFS implementation
// serving the Kubo RPC API, offline, on free loopback ports, in a fresh repo.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './node.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', '..', 'node_modules', 'ipfs', 'src', 'cli.js');
const polyfill = join(here, 'with-resolvers.cjs');

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`ipfs ${args[0]} failed: ${out}`))));
  });
}

export class JsIpfs {
  async start() {
    this.repo = mkdtempSync(join(tmpdir(), 'medchain-ipfs-'));
    this.env = { ...process.env, IPFS_PATH: this.repo, NODE_OPTIONS: `--require ${polyfill}` };
    await run(['init', '--profile=test', '--empty-repo'], this.env);
    this.apiPort = await freePort();
    const gatewayPort = await freePort();
    const configPath = join(this.repo, 'config');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.Addresses.Swarm = [];
    config.Addresses.API = `/ip4/127.0.0.1/tcp/${this.apiPort}`;
    config.Addresses.Gateway = `/ip4/127.0.0.1/tcp/${gatewayPort}`;
    // The gRPC endpoint defaults to port 5003: two daemons at once would collide.
    config.Addresses.RPC = `/ip4/127.0.0.1/tcp/${await freePort()}`;
    writeFileSync(configPath, JSON.stringify(config, null, 1));
    this.logFile = join(this.repo, 'daemon.log');
    const log = createWriteStream(this.logFile);
    this.process = spawn(process.execPath, [cli, 'daemon', '--offline'], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout.pipe(log);
    this.process.stderr.pipe(log);
    this.exited = new Promise((resolve) => this.process.once('exit', resolve));
    await waitFor(`the js-ipfs API on ${this.apiPort} (log: ${this.logFile})`, async () => {
      const r = await fetch(`${this.url}/api/v0/id`, { method: 'POST' });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return true;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    return this;
  }

  get url() {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** `add` with MedChain's settings; the CID in base32. */
  async add(bytes) {
    const form = new FormData();
    form.append('file', new Blob([bytes]), 'file');
    const r = await fetch(`${this.url}/api/v0/add?cid-version=1&raw-leaves=true&chunker=size-262144&cid-base=base32`, { method: 'POST', body: form });
    if (!r.ok) throw new Error(`add: HTTP ${r.status} ${await r.text()}`);
    const lines = (await r.text()).trim().split('\n');
    return JSON.parse(lines[lines.length - 1]).Hash;
  }

  /** `cat` with a timeout (offline, an unknown CID would hang). */
  async cat(cid) {
    const r = await fetch(`${this.url}/api/v0/cat?arg=${cid}&timeout=10s`, { method: 'POST' });
    if (!r.ok) throw new Error(`cat: HTTP ${r.status} ${await r.text()}`);
    return Buffer.from(await r.arrayBuffer());
  }

  /** Whether `cid` is pinned (recursively) on this node. */
  async pinned(cid) {
    const r = await fetch(`${this.url}/api/v0/pin/ls?arg=${cid}&type=recursive`, { method: 'POST' });
    if (r.ok) return true;
    const text = await r.text();
    if (/not pinned/.test(text)) return false;
    throw new Error(`pin/ls: HTTP ${r.status} ${text}`);
  }

  async stop() {
    if (!this.process || this.process.exitCode !== null) return;
    this.process.kill('SIGINT');
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}
