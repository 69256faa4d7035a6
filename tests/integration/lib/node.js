// Start and stop the built medchain-node for integration tests, talk to it
// over plain JSON-RPC, and wait on conditions with bounded timeouts.

import { spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

/** The node binary: MEDCHAIN_NODE, or the default CI build location. */
export function nodeBinary() {
  const target = process.env.CARGO_TARGET_DIR || join(process.env.HOME, '.cache', 'medchain-target');
  const bin = process.env.MEDCHAIN_NODE || join(target, 'debug', 'medchain-node');
  if (!existsSync(bin)) {
    throw new Error(`medchain-node not found at ${bin}: run scripts/build.sh first or set MEDCHAIN_NODE`);
  }
  return bin;
}

/** The `medchain` client binary: MEDCHAIN_CLIENT, or the default CI build location. */
export function clientBinary() {
  const target = process.env.CARGO_TARGET_DIR || join(process.env.HOME, '.cache', 'medchain-target');
  return process.env.MEDCHAIN_CLIENT || join(target, 'debug', 'medchain');
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Poll `check` until it returns a truthy value, at most `timeoutMs`.
 * Errors thrown by `check` count as "not yet" (the node may still be starting).
 */
export async function waitFor(what, check, { timeoutMs = 180_000, intervalMs = 1_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

let rpcId = 0;
/**
 * One JSON-RPC call over plain HTTP (no client library); resolves to the
 * whole answer, `{ result }` or `{ error }`. With MEDCHAIN_RPC_EXAMPLES set
 * to a file, appends each request and answer to it (docs/rpc.md's examples
 * come from there).
 */
export async function rpcAnswer(port, method, params = []) {
  const request = { jsonrpc: '2.0', id: ++rpcId, method, params };
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  if (process.env.MEDCHAIN_RPC_EXAMPLES) {
    appendFileSync(process.env.MEDCHAIN_RPC_EXAMPLES, `${JSON.stringify({ request, response: body })}\n`);
  }
  return body;
}

/** One JSON-RPC call over HTTP; throws on a JSON-RPC error. */
export async function rpc(port, method, params = []) {
  const body = await rpcAnswer(port, method, params);
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

export async function bestNumber(port) {
  return parseInt((await rpc(port, 'chain_getHeader')).number, 16);
}

export async function finalizedNumber(port) {
  const hash = await rpc(port, 'chain_getFinalizedHead');
  return parseInt((await rpc(port, 'chain_getHeader', [hash])).number, 16);
}

/**
 * A node on free ports, `--dev` unless `chainArgs` says otherwise.
 * `basePath` keeps the database between start()s; by default a fresh
 * temporary directory. `p2pPort` fixes the P2P port (the `local` chain's
 * boot nodes name theirs); RPC and Prometheus ports are free ones.
 */
export class DevNode {
  constructor({ basePath, chainArgs = ['--dev'], p2pPort } = {}) {
    this.chainArgs = chainArgs;
    this.fixedP2pPort = p2pPort;
    this.basePath = basePath || mkdtempSync(join(tmpdir(), 'medchain-test-'));
    this.logFile = join(this.basePath, 'node.log');
    this.process = null;
  }

  async start() {
    this.rpcPort = await freePort();
    this.p2pPort = this.fixedP2pPort ?? await freePort();
    this.prometheusPort = await freePort();
    const args = [
      ...this.chainArgs,
      '--base-path', this.basePath,
      '--rpc-port', String(this.rpcPort),
      '--port', String(this.p2pPort),
      '--prometheus-port', String(this.prometheusPort),
      '--no-mdns',
      '--no-telemetry',
      '--rpc-methods', 'unsafe',
    ];
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.process = spawn(nodeBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.process.stdout.pipe(log);
    this.process.stderr.pipe(log);
    this.exited = new Promise((resolve) => this.process.once('exit', (code, signal) => resolve({ code, signal })));
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(`medchain-node exited (${signal || code}) while starting; see ${this.logFile}`);
    });
    const ready = waitFor(`the node's RPC on port ${this.rpcPort} (log: ${this.logFile})`, () =>
      rpc(this.rpcPort, 'system_health'));
    await Promise.race([ready, died]);
    died.catch(() => {}); // a later, deliberate stop() is not an error
    return this;
  }

  get wsUrl() {
    return `ws://127.0.0.1:${this.rpcPort}`;
  }

  /** Whether the node's process is running (started and not exited or killed). */
  get running() {
    return Boolean(this.process) && this.process.exitCode === null && this.process.signalCode === null;
  }

  /** SIGKILL: the node dies as in a crash or a power cut, with no clean shutdown. */
  async kill() {
    if (!this.running) return;
    this.process.kill('SIGKILL');
    await this.exited;
  }

  /** SIGINT, as an operator's Ctrl-C; SIGKILL only if it hangs for 60 s. */
  async stop() {
    if (!this.running) return;
    this.process.kill('SIGINT');
    // The timer is cleared once the node exits: a pending one would keep the
    // test process alive for the whole minute after its last test.
    let timer;
    const timeout = new Promise((r) => { timer = setTimeout(() => r('timeout'), 60_000); });
    const outcome = await Promise.race([this.exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }
}
