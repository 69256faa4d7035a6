// The MedChain test network of zombienet/network.json: real medchain-node
// processes on loopback, started, killed (SIGKILL, as in a crash) and
// restarted on their own databases by the tests, and waited on by chain
// conditions (peers, best and finalized blocks), never by the clock alone.

import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { DevNode, rpc, waitFor } from '../../tests/integration/lib/node.js';
import { connect } from '../../tests/integration/lib/chain.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The network definition. */
export const definition = JSON.parse(readFileSync(join(here, '..', 'network.json'), 'utf8'));

/** The 32-byte node key `0x00…0n` as the 64 hex digits `--node-key` takes. */
export const nodeKey = (n) => n.toString(16).padStart(64, '0');

/** Whether something listens on 127.0.0.1:`port`. */
function portInUse(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** How blocks of a node look from outside: best, finalized, peers. */
export async function status(node) {
  const [header, finalizedHash, health] = await Promise.all([
    rpc(node.rpcPort, 'chain_getHeader'),
    rpc(node.rpcPort, 'chain_getFinalizedHead'),
    rpc(node.rpcPort, 'system_health'),
  ]);
  const finalized = await rpc(node.rpcPort, 'chain_getHeader', [finalizedHash]);
  return {
    best: parseInt(header.number, 16),
    finalized: parseInt(finalized.number, 16),
    finalizedHash,
    peers: health.peers,
  };
}

/** The hash of block `number` on `node`'s best chain, or null. */
export const blockHash = (node, number) => rpc(node.rpcPort, 'chain_getBlockHash', [number]);

/**
 * One hospital's node: `--chain local` with the dev session keys of `name`
 * (`--alice`, ...: a validator), the node key and P2P port of the
 * definition, and a database that survives kill() and start().
 */
export class HospitalNode extends DevNode {
  constructor({ name, nodeKey: key, p2pPort }, { validator = true, extraArgs = [] } = {}) {
    const chainArgs = ['--chain', definition.chain, '--node-key', nodeKey(key), '--name', name];
    if (validator) chainArgs.push(`--${name}`);
    super({
      basePath: mkdtempSync(join(tmpdir(), `medchain-net-${name}-`)),
      chainArgs: [...chainArgs, ...extraArgs],
      p2pPort,
    });
    this.name = name;
  }

  async start() {
    if (await portInUse(this.fixedP2pPort)) {
      throw new Error(`port ${this.fixedP2pPort} (${this.name}'s P2P port in zombienet/network.json) is taken: stop what listens there (a dev node?)`);
    }
    return super.start();
  }

  status() {
    return status(this);
  }
}

/** The four hospitals of the definition, started together. */
export class Network {
  constructor() {
    this.nodes = definition.nodes.map((n) => new HospitalNode(n));
    this.apis = new Map();
  }

  node(name) {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no node ${name} in zombienet/network.json`);
    return node;
  }

  /** The nodes that are running now. */
  get up() {
    return this.nodes.filter((n) => n.running);
  }

  async start() {
    await Promise.all(this.nodes.map((node) => node.start()));
    return this;
  }

  /** An @polkadot/api connection to `name`'s node (remade after a restart). */
  async api(name) {
    const node = this.node(name);
    const cached = this.apis.get(name);
    if (cached && cached.port === node.rpcPort) return cached.api;
    await cached?.api.disconnect().catch(() => {});
    const api = await connect(node.wsUrl);
    this.apis.set(name, { api, port: node.rpcPort });
    return api;
  }

  async kill(name) {
    const cached = this.apis.get(name);
    this.apis.delete(name);
    await cached?.api.disconnect().catch(() => {});
    await this.node(name).kill();
  }

  async restart(name) {
    await this.node(name).start();
  }

  /** Wait until every running node has finalized at least `number`. */
  async finalizedEverywhere(number, { timeoutMs = 300_000 } = {}) {
    await waitFor(`block ${number} finalized on ${this.up.map((n) => n.name).join(', ')}`, async () => {
      const all = await Promise.all(this.up.map((n) => n.status()));
      return all.every((s) => s.finalized >= number);
    }, { timeoutMs, intervalMs: 2_000 });
  }

  /** Wait until every running node is connected to every other running node. */
  async meshed({ timeoutMs = 300_000 } = {}) {
    const expected = this.up.length - 1;
    return waitFor(`${expected} peers on every running node`, async () => {
      const all = await Promise.all(this.up.map((n) => n.status()));
      return all.every((s) => s.peers === expected) && all;
    }, { timeoutMs, intervalMs: 2_000 });
  }

  /** Finality of the running nodes moves `blocks` past where it is now. */
  async finalityAdvances(blocks = 3, { timeoutMs = 300_000 } = {}) {
    const from = Math.max(...(await Promise.all(this.up.map((n) => n.status()))).map((s) => s.finalized));
    await this.finalizedEverywhere(from + blocks, { timeoutMs });
    return from + blocks;
  }

  /**
   * Wait until `name` (just restarted) has finalized at least what the
   * others had when it came back, and check it agrees with them on the
   * hash of that block.
   */
  async caughtUp(name, { timeoutMs = 300_000 } = {}) {
    const node = this.node(name);
    const others = this.up.filter((n) => n !== node);
    const target = Math.max(...(await Promise.all(others.map((n) => n.status()))).map((s) => s.finalized));
    await waitFor(`${name} finalizing block ${target}`, async () => (await node.status()).finalized >= target,
      { timeoutMs, intervalMs: 2_000 });
    const hashes = await Promise.all([node, ...others].map((n) => blockHash(n, target)));
    return { target, hashes };
  }

  async stop() {
    for (const { api } of this.apis.values()) await api.disconnect().catch(() => {});
    this.apis.clear();
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
