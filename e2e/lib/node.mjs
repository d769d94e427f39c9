// Starts and stops proof-of-sync-node processes on loopback for the end-to-end tests.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { ApiPromise, WsProvider } from '@polkadot/api';

const here = dirname(fileURLToPath(import.meta.url));

/** The node binary: $PROOF_OF_SYNC_NODE, or the release build in the project's target directory. */
export const NODE_BIN =
  process.env.PROOF_OF_SYNC_NODE ??
  join(process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/proof-of-sync-target'), 'release/proof-of-sync-node');

/** Where node logs go (one file per node, kept for a failing run). */
export const LOG_DIR = process.env.E2E_LOG_DIR ?? join(here, '..', '.tmp');

/**
 * The project's polkadot.js definitions (`polkadot-js/definitions.json`): the `proofOfSync_*` RPC
 * methods and their result types, and the empty `AuthorizeCall` extension.
 */
export const DEFINITIONS = JSON.parse(
  readFileSync(join(here, '..', '..', 'polkadot-js', 'definitions.json'), 'utf8'),
);

/** polkadot.js options for this chain: the project's definitions, no init warnings. */
export const API_OPTIONS = {
  ...DEFINITIONS,
  noInitWarn: true,
  throwOnConnect: true,
};

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One JSON-RPC call over HTTP (the node serves HTTP and WebSocket on the same port). */
export async function rpc(port, method, params = []) {
  const response = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/**
 * Starts `proof-of-sync-node` with `args` plus loopback-only ports and a fresh network key of its own,
 * and waits until its RPC answers. The returned handle stops the process by its pid.
 */
export async function startNode(name, args, { readyTimeoutMs = 120_000 } = {}) {
  const [rpcPort, p2pPort, prometheusPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(LOG_DIR, { recursive: true });
  const logPath = join(LOG_DIR, `${name}.log`);
  const log = createWriteStream(logPath);
  // A validator on a non-dev chain refuses to start without a persistent network key.
  const nodeKey = randomBytes(32).toString('hex');
  const fullArgs = [
    ...args,
    '--node-key', nodeKey,
    '--rpc-port', String(rpcPort),
    '--prometheus-port', String(prometheusPort),
    '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
    // Loopback only: no mDNS multicast, no telemetry.
    '--no-mdns',
    '--no-telemetry',
  ];
  const child = spawn(NODE_BIN, fullArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  const exit = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
  });

  const node = {
    name,
    pid: child.pid,
    rpcPort,
    p2pPort,
    prometheusPort,
    logPath,
    wsUrl: `ws://127.0.0.1:${rpcPort}`,
    /** Stops the node by its pid: SIGTERM, then SIGKILL if it has not exited within 20 s. */
    async stop() {
      if (exited) return exited;
      process.kill(child.pid, 'SIGTERM');
      const timer = setTimeout(() => exited || process.kill(child.pid, 'SIGKILL'), 20_000);
      const result = await exit;
      clearTimeout(timer);
      log.end();
      return result;
    },
    /** A connected @polkadot/api instance. */
    async api() {
      return ApiPromise.create({ provider: new WsProvider(node.wsUrl), ...API_OPTIONS });
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited) {
      await new Promise((resolve) => log.end(resolve));
      const tail = readFileSync(logPath, 'utf8').split('\n').slice(-5).join('\n');
      throw new Error(`${name} exited early (${JSON.stringify(exited)}):\n${tail}`);
    }
    try {
      await rpc(rpcPort, 'system_health');
      return node;
    } catch {
      if (Date.now() > deadline) {
        await node.stop();
        throw new Error(`${name}: RPC did not answer within ${readyTimeoutMs} ms; see ${logPath}`);
      }
      await sleep(250);
    }
  }
}

/** Waits until `predicate()` returns a truthy value, polling every `intervalMs`. */
export async function waitFor(what, predicate, { timeoutMs = 120_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Signs and submits `tx` as `signer`; resolves with the events of the block it landed in. */
export function submitInBlock(tx, signer) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    tx.signAndSend(signer, (result) => {
      if (result.dispatchError) {
        unsubscribe();
        reject(new Error(`dispatch error: ${result.dispatchError.toString()}`));
      } else if (result.status.isInvalid || result.status.isDropped) {
        unsubscribe();
        reject(new Error(`transaction ${result.status.type}`));
      } else if (result.status.isInBlock) {
        unsubscribe();
        resolve(result.events);
      }
    })
      .then((u) => {
        unsubscribe = u;
      })
      .catch(reject);
  });
}
