#!/usr/bin/env node
// medchain-ipfs: a hospital's IPFS node for MedChain. Helia (the IPFS
// implementation in JavaScript) with a libp2p host that speaks only to the
// consortium's other nodes (a private network: a pre-shared swarm key, no
// public bootstrap, no DHT), and the part of the Kubo RPC API that MedChain's
// client and pinning follower use, on loopback.
//
//   node medchain-ipfs.mjs --repo DIR --api PORT --swarm PORT --swarm-key FILE [--peer MULTIADDR]...
//
// Kubo RPC subset (POST, answers as Kubo gives them): add, cat, pin/add,
// pin/rm, pin/ls, repo/gc, block/stat, id, swarm/connect, swarm/peers.
// Files are added as Kubo adds them with MedChain's settings (CIDv1, raw
// leaves, 256 KiB chunks, balanced DAG of at most 174 links): the same CIDs.

import { createServer } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createHeliaLight } from 'helia';
import { withLibp2pLight } from '@helia/libp2p';
import { withBitswap } from '@helia/bitswap';
import { unixfs } from '@helia/unixfs';
import { tcp } from '@libp2p/tcp';
import { noise } from '@libp2p/noise';
import { yamux } from '@libp2p/yamux';
import { identify } from '@libp2p/identify';
import { preSharedKey } from '@libp2p/pnet';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { balanced } from 'ipfs-unixfs-importer/layout';
import { CID } from 'multiformats/cid';

const CHUNK_SIZE = 262_144;
const MAX_LINKS = 174;

const { values: opts } = parseArgs({
  options: {
    repo: { type: 'string' },
    api: { type: 'string', default: '5001' },
    swarm: { type: 'string', default: '4001' },
    'swarm-key': { type: 'string' },
    peer: { type: 'string', multiple: true, default: [] },
  },
});
if (!opts.repo || !opts['swarm-key']) {
  console.error('usage: medchain-ipfs --repo DIR --swarm-key FILE [--api PORT] [--swarm PORT] [--peer MULTIADDR]...');
  process.exit(2);
}

/** The node's libp2p identity, made on first start and kept in the repo. */
async function identity(repo) {
  const file = join(repo, 'identity.key');
  try {
    return privateKeyFromProtobuf(await readFile(file));
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
    const key = await generateKeyPair('Ed25519');
    await writeFile(file, privateKeyToProtobuf(key), { mode: 0o600 });
    return key;
  }
}

await mkdir(opts.repo, { recursive: true, mode: 0o700 });
const swarmKey = await readFile(opts['swarm-key']);
let helia = createHeliaLight({
  blockstore: new FsBlockstore(join(opts.repo, 'blocks')),
  datastore: new FsDatastore(join(opts.repo, 'datastore')),
});
helia = withLibp2pLight(helia, {
  privateKey: await identity(opts.repo),
  addresses: { listen: [`/ip4/127.0.0.1/tcp/${opts.swarm}`] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  connectionProtector: preSharedKey({ psk: swarmKey }),
  services: { identify: identify() },
});
helia = withBitswap(helia);
await helia.start();
const fs = unixfs(helia);

// The consortium's other nodes: dialled at start and again whenever the
// connection is gone, so that a restarted peer is found again.
const peers = opts.peer.map((p) => multiaddr(p));
async function keepPeered() {
  for (const peer of peers) {
    const id = peer.getComponents().find((c) => c.name === 'p2p')?.value;
    if (id && helia.libp2p.getConnections().some((c) => c.remotePeer.toString() === id)) continue;
    try {
      await helia.libp2p.dial(peer, { signal: AbortSignal.timeout(5_000) });
    } catch {
      // Down for now: tried again in a few seconds.
    }
  }
}
await keepPeered();
const peering = setInterval(keepPeered, 3_000);

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function cidArg(url) {
  const arg = url.searchParams.get('arg');
  if (!arg) throw new HttpError(400, 'argument "arg" is required');
  try {
    return CID.parse(arg.replace(/^\/ipfs\//, ''));
  } catch {
    throw new HttpError(400, `invalid CID: ${arg}`);
  }
}

/** A request's timeout: Kubo's `timeout` argument (e.g. `10s`), else none. */
function signalOf(url) {
  const t = url.searchParams.get('timeout');
  const m = t && /^(\d+)(ms|s|m)$/.exec(t);
  if (!m) return undefined;
  return AbortSignal.timeout(Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[m[2]]);
}

/** The file part of a multipart/form-data body, as a stream of bytes. */
async function* filePart(req) {
  const type = req.headers['content-type'] ?? '';
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (!boundary) throw new HttpError(400, 'add needs multipart/form-data');
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`);
  let buffer = Buffer.alloc(0);
  let inBody = false;
  for await (const chunk of req) {
    buffer = Buffer.concat([buffer, chunk]);
    if (!inBody) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end < 0) continue;
      buffer = buffer.subarray(end + 4);
      inBody = true;
    }
    const at = buffer.indexOf(delimiter);
    if (at >= 0) {
      yield buffer.subarray(0, at);
      return;
    }
    // Keep what could be the start of the delimiter.
    const keep = delimiter.length;
    if (buffer.length > keep) {
      yield buffer.subarray(0, buffer.length - keep);
      buffer = buffer.subarray(buffer.length - keep);
    }
  }
  throw new HttpError(400, 'the multipart body ended before its closing boundary');
}

const routes = {
  async add(url, req, res) {
    if (url.searchParams.get('cid-version') !== '1' || url.searchParams.get('raw-leaves') !== 'true') {
      throw new HttpError(400, 'this node adds files as CIDv1 with raw leaves only (cid-version=1&raw-leaves=true)');
    }
    const chunker = url.searchParams.get('chunker') ?? `size-${CHUNK_SIZE}`;
    if (chunker !== `size-${CHUNK_SIZE}`) throw new HttpError(400, `this node chunks files at size-${CHUNK_SIZE} only`);
    let size = 0;
    const counted = (async function* () {
      for await (const part of filePart(req)) {
        size += part.length;
        yield part;
      }
    })();
    const cid = await fs.addByteStream(counted, {
      cidVersion: 1,
      rawLeaves: true,
      chunker: fixedSize({ chunkSize: CHUNK_SIZE }),
      layout: balanced({ maxChildrenPerNode: MAX_LINKS }),
    });
    if (url.searchParams.get('pin') !== 'false' && !(await helia.pins.isPinned(cid))) {
      for await (const _ of helia.pins.add(cid)) { /* walks the DAG */ }
    }
    json(res, { Name: cid.toString(), Hash: cid.toString(), Size: String(size) });
  },

  async cat(url, req, res) {
    const cid = cidArg(url);
    const chunks = fs.cat(cid, { signal: signalOf(url) });
    // The first chunk decides between an answer and an error.
    const iterator = chunks[Symbol.asyncIterator]();
    const first = await iterator.next();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (!first.done) res.write(first.value);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (!res.write(next.value)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  },

  async 'pin/add'(url, req, res) {
    const cid = cidArg(url);
    if (!(await helia.pins.isPinned(cid))) {
      for await (const _ of helia.pins.add(cid, { signal: signalOf(url) })) { /* fetches the DAG */ }
    }
    json(res, { Pins: [cid.toString()] });
  },

  async 'pin/rm'(url, req, res) {
    const cid = cidArg(url);
    if (!(await helia.pins.isPinned(cid))) throw new HttpError(500, `${cid}: not pinned or pinned indirectly`);
    for await (const _ of helia.pins.rm(cid)) { /* unpins */ }
    json(res, { Pins: [cid.toString()] });
  },

  async 'pin/ls'(url, req, res) {
    const Keys = {};
    if (url.searchParams.get('arg')) {
      const cid = cidArg(url);
      if (!(await helia.pins.isPinned(cid))) throw new HttpError(500, `path '${cid}' is not pinned`);
      Keys[cid.toString()] = { Type: 'recursive' };
    } else {
      for await (const pin of helia.pins.ls()) Keys[pin.cid.toString()] = { Type: 'recursive' };
    }
    json(res, { Keys });
  },

  async 'repo/gc'(url, req, res) {
    await helia.gc();
    json(res, {});
  },

  async 'block/stat'(url, req, res) {
    const cid = cidArg(url);
    if (!(await helia.blockstore.has(cid, { offline: true }))) throw new HttpError(500, `block ${cid} not found locally`);
    const bytes = await helia.blockstore.get(cid, { offline: true });
    let size = 0;
    if (bytes instanceof Uint8Array) size = bytes.length;
    else for await (const chunk of bytes) size += chunk.length;
    json(res, { Key: cid.toString(), Size: size });
  },

  async id(url, req, res) {
    json(res, {
      ID: helia.libp2p.peerId.toString(),
      Addresses: helia.libp2p.getMultiaddrs().map(String),
      AgentVersion: 'medchain-ipfs/helia',
    });
  },

  async 'swarm/connect'(url, req, res) {
    const arg = url.searchParams.get('arg');
    if (!arg) throw new HttpError(400, 'argument "arg" is required');
    await helia.libp2p.dial(multiaddr(arg), { signal: AbortSignal.timeout(10_000) });
    json(res, { Strings: [`connect ${arg} success`] });
  },

  async 'swarm/peers'(url, req, res) {
    json(res, {
      Peers: helia.libp2p.getConnections().map((c) => ({ Addr: c.remoteAddr.toString(), Peer: c.remotePeer.toString() })),
    });
  },
};

function json(res, value) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(value)}\n`);
}

/**
 * Why a request that a web page could have sent is refused, or nothing. The
 * API has no authentication: it trusts whoever reaches its loopback port. A
 * page a nurse opens on the host could reach it too, with `fetch` (the browser
 * always adds an Origin header to a cross-origin POST) or through a name that
 * its attacker rebinds to 127.0.0.1 (the Host header then names the attacker's
 * domain). Kubo refuses both the same way. A TLS proxy in front of the API
 * strips Origin for the calls it passes and sets Host to the loopback address.
 */
function refusal(req) {
  if (req.headers.origin !== undefined) {
    return `requests from web pages are refused (Origin: ${req.headers.origin})`;
  }
  const host = req.headers.host ?? '';
  if (!/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(host)) {
    return `Host ${JSON.stringify(host)} is not this node's loopback address`;
  }
  return null;
}

const server = createServer(async (req, res) => {
  const refused = refusal(req);
  if (refused) {
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end(`403 - Forbidden: ${refused}\n`);
    return;
  }
  const url = new URL(req.url, 'http://localhost');
  const route = routes[url.pathname.replace(/^\/api\/v0\//, '')];
  if (req.method !== 'POST' || !route) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
    return;
  }
  try {
    await route(url, req, res);
  } catch (e) {
    // Kubo answers every failed command with 500 and a message; a timeout's
    // message says "deadline", as Kubo's does.
    const status = e instanceof HttpError ? e.status : 500;
    const timedOut = e.name === 'AbortError' || e.name === 'TimeoutError';
    const message = timedOut ? `context deadline exceeded: ${e.message}` : e.message;
    if (res.headersSent) {
      res.destroy(e);
    } else {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ Message: message, Code: 0, Type: 'error' })}\n`);
    }
  }
});
server.listen(Number(opts.api), '127.0.0.1', () => {
  console.log(`API server listening on /ip4/127.0.0.1/tcp/${opts.api}`);
  console.log(`peer ${helia.libp2p.peerId} on ${helia.libp2p.getMultiaddrs().map(String).join(' ')}`);
});

async function shutdown() {
  clearInterval(peering);
  server.close();
  await helia.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
