// Verified contribution on the three-validator local chain: Alice, Bob and Charlie each serve the
// resource endpoint they registered at genesis (http://127.0.0.1:30555, 30556, 30557), keep their
// sealed 100 MiB datasets, and probe one another every round with no manual call; the offchain
// workers submit the reports. Then, in the same round, Charlie declares a thousand times the storage
// its node holds (`--resource-max-storage 100`) and Bob's endpoint stops (not Bob's node: the test
// closes the loopback proxy at Bob's registered address). The next round counts Charlie at 100
// units and Bob at no capacity at all; once Bob's endpoint is back, so are its quality and share.

import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import { after, before, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { freePort, rpc, startNode, submitInBlock, waitFor } from './lib/node.mjs';

/** The genesis endpoints of the `local` chain (runtime/src/genesis_config_presets.rs). */
const ENDPOINT_PORT = { alice: 30555, bob: 30556, charlie: 30557 };
/** A genesis validator's declared capacity, and its dataset's size in MiB units. */
const GENESIS_CAPACITY = { compute: 4_000, storage: 100, bandwidth: 1_000 };
/** A round is 10 blocks of 6 s; waits allow for a few. */
const ROUNDS = (n) => n * 60_000 + 30_000;

const nodes = {};
let api;
let keyring;
const accounts = {};

/**
 * A TCP proxy on 127.0.0.1:`port` to 127.0.0.1:`to`: Bob's registered endpoint, which the test can
 * close and open again while Bob's node (and its endpoint behind the proxy) keeps running.
 */
function proxy(port, to) {
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = connect(to, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return {
    open: () => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
let bobProxy;

before(async () => {
  await cryptoWaitReady();
  keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  for (const who of ['alice', 'bob', 'charlie']) {
    accounts[who] = keyring.addFromUri(`//${who[0].toUpperCase()}${who.slice(1)}`);
  }
  const base = ['--chain', 'local', '--tmp'];
  nodes.alice = await startNode('resources-alice', [
    ...base, '--alice', '--resource-listen', `127.0.0.1:${ENDPOINT_PORT.alice}`,
  ]);
  const peerId = await rpc(nodes.alice.rpcPort, 'system_localPeerId');
  const bootnode = ['--bootnodes', `/ip4/127.0.0.1/tcp/${nodes.alice.p2pPort}/p2p/${peerId}`];
  const bobBehindProxy = await freePort();
  bobProxy = proxy(ENDPOINT_PORT.bob, bobBehindProxy);
  await bobProxy.open();
  nodes.bob = await startNode('resources-bob', [
    ...base, '--bob', ...bootnode, '--resource-listen', `127.0.0.1:${bobBehindProxy}`,
  ]);
  nodes.charlie = await startNode('resources-charlie', [
    ...base, '--charlie', ...bootnode,
    '--resource-listen', `127.0.0.1:${ENDPOINT_PORT.charlie}`,
    '--resource-max-storage', String(GENESIS_CAPACITY.storage),
  ]);
  api = await nodes.alice.api();
});

after(async () => {
  await api?.disconnect();
  const exits = await Promise.all(Object.values(nodes).map((node) => node.stop()));
  for (const exit of exits) assert.notEqual(exit.signal, 'SIGKILL', JSON.stringify(exit));
  await bobProxy?.close();
});

/** The round in progress. */
async function currentRound() {
  return (await api.rpc.proofOfSync.roundInfo()).unwrap().index.toNumber();
}

/** Waits until round `r` has closed, and returns the newest closed round. */
async function closed(r) {
  return waitFor(`round ${r} to close`, async () => {
    const info = (await api.rpc.proofOfSync.roundInfo()).unwrap();
    const last = info.lastClosed.isSome ? info.lastClosed.unwrap().toNumber() : -1;
    return last >= r ? last : null;
  }, { timeoutMs: ROUNDS(2) });
}

/** What a round's verifiers reported about `who`, and its score, as plain JSON. */
async function verified(who, r) {
  const reports = (await api.rpc.proofOfSync.qualityReports(accounts[who].address, r)).unwrap().toJSON();
  const score = (await api.rpc.proofOfSync.scoreBreakdown(accounts[who].address, r)).unwrap().toJSON();
  return { reports, score };
}

/** `who`'s share of closed round `r`'s points (a fraction). */
async function share(who, r) {
  const score = (await api.rpc.proofOfSync.scoreBreakdown(accounts[who].address, r)).unwrap();
  return score.share.toNumber() / 1e9;
}

/** The first closed round in which every provider was fully measured. */
let baseline;
const baselineShare = {};

test('every provider is verified by the other two each round, with no manual call', async () => {
  const complete = async (r) => {
    for (const who of Object.keys(accounts)) {
      const { reports, score } = await verified(who, r);
      const others = Object.keys(accounts).filter((name) => name !== who).map((name) => accounts[name].address);
      if (reports.reports.length !== 2) return false;
      assert.deepEqual(new Set(reports.reports.map((report) => report.verifier)), new Set(others));
      if (!reports.reports.every((report) => report.reachable && report.measured.storage === GENESIS_CAPACITY.storage)) {
        return false;
      }
      assert.equal(score.measured.storage, GENESIS_CAPACITY.storage, `${who}'s storage`);
      assert.equal(score.counted.storage, GENESIS_CAPACITY.storage, `${who}'s counted storage`);
      assert.ok(score.measured.compute > 0 && score.measured.bandwidth > 0, JSON.stringify(score));
      assert.ok(score.counted.compute <= GENESIS_CAPACITY.compute, JSON.stringify(score));
      assert.ok(score.quality > 0 && BigInt(score.capacityPoints) > 0n, JSON.stringify(score));
    }
    return true;
  };
  // The datasets are sealed and committed in the first round and checked from the next.
  let r = 1;
  baseline = await waitFor('a round in which every provider was measured in full', async () => {
    const last = await closed(r);
    for (; r <= last; r += 1) if (await complete(r)) return r;
    return null;
  }, { timeoutMs: ROUNDS(5) });
  for (const who of Object.keys(accounts)) {
    baselineShare[who] = await share(who, baseline);
    const { reports, score } = await verified(who, baseline);
    console.log(`round ${baseline}: ${who} measured ${JSON.stringify(score.measured)}, quality ${score.quality}, ` +
      `capacity points ${score.capacityPoints}, share ${baselineShare[who].toFixed(3)}; reports ` +
      JSON.stringify(reports.reports.map((x) => ({ latencyMs: x.latencyMs, measured: x.measured }))));
  }
  // And again in the round after: no manual call in between.
  const next = baseline + 1;
  await closed(next);
  assert.ok(await complete(next), `round ${next} measured every provider in full`);
});

let down;

test('a thousandfold storage claim counts what the node holds; a stopped endpoint loses its share', async () => {
  assert.ok(baseline !== undefined, 'the first test found a baseline round');
  // Charlie claims 100 000 MiB; its node holds 100 (`--resource-max-storage 100`).
  const claim = { ...GENESIS_CAPACITY, storage: GENESIS_CAPACITY.storage * 1000 };
  await submitInBlock(api.tx.resources.updateCapacity(claim), accounts.charlie);
  await bobProxy.close();
  const stopped = await currentRound();
  // The claim and the outage both take full effect in the next round.
  down = stopped + 1;
  await closed(down);

  const charlie = await verified('charlie', down);
  console.log(`round ${down}: charlie declared ${JSON.stringify(charlie.score.declared)}, measured ` +
    `${JSON.stringify(charlie.score.measured)}, counted ${JSON.stringify(charlie.score.counted)}`);
  assert.equal(charlie.score.declared.storage, claim.storage);
  assert.equal(charlie.score.measured.storage, GENESIS_CAPACITY.storage);
  assert.equal(charlie.score.counted.storage, GENESIS_CAPACITY.storage);

  const bob = await verified('bob', down);
  const bobShare = await share('bob', down);
  console.log(`round ${down}: bob (endpoint stopped) quality ${bob.score.quality}, capacity points ` +
    `${bob.score.capacityPoints}, share ${bobShare.toFixed(3)} (was ${baselineShare.bob.toFixed(3)})`);
  assert.equal(bob.reports.reports.length, 2);
  assert.ok(bob.reports.reports.every((report) => !report.reachable), JSON.stringify(bob.reports));
  assert.equal(bob.score.quality, 0);
  assert.equal(BigInt(bob.score.capacityPoints), 0n);
  assert.deepEqual(bob.score.counted, { compute: 0, storage: 0, bandwidth: 0 });
  // Still in sync, so it keeps its base points, but far less than its share with capacity.
  assert.ok(BigInt(bob.score.points) > 0n, 'an in-sync node keeps its base points');
  assert.ok(bobShare < baselineShare.bob / 2, `bob's share ${bobShare} vs ${baselineShare.bob}`);
});

test('once the endpoint is back, so are its quality and share', async () => {
  assert.ok(down !== undefined, 'the endpoint was stopped');
  await bobProxy.open();
  const restored = (await currentRound()) + 1;
  await closed(restored);
  const bob = await verified('bob', restored);
  const bobShare = await share('bob', restored);
  const downShare = await share('bob', down);
  console.log(`round ${restored}: bob (endpoint back) quality ${bob.score.quality}, capacity points ` +
    `${bob.score.capacityPoints}, share ${bobShare.toFixed(3)} (down: ${downShare.toFixed(3)})`);
  assert.ok(bob.reports.reports.every((report) => report.reachable), JSON.stringify(bob.reports));
  assert.ok(bob.score.quality > 0);
  assert.equal(bob.score.counted.storage, GENESIS_CAPACITY.storage);
  assert.ok(BigInt(bob.score.capacityPoints) > 0n);
  assert.ok(bobShare > 2 * downShare, `bob's share ${bobShare} vs ${downShare} while down`);
});
