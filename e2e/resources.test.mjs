// Verified contribution on the three-validator local chain: Alice, Bob and Charlie each serve the
// resource endpoint they registered at genesis (http://127.0.0.1:30555, 30556, 30557), keep their
// sealed 100 MiB datasets, and probe one another every round with no manual call; the offchain
// workers submit the reports. Then, in the same round, Charlie declares a thousand times the storage
// its node holds (`--resource-max-storage 100`) and Bob's endpoint stops (not Bob's node: the test
// closes the loopback proxy at Bob's registered address). The next round counts Charlie at 100
// units and Bob at no capacity at all; once Bob's endpoint is back, so are its quality and share.
//
// Meanwhile (on the same nodes, while those rounds pass) Bob leases storage from Alice with the
// consumer client, `proof-of-sync-node usage`: it stores and fetches data at Alice's endpoint, a
// put above the lease's quota is refused with `QuotaExceeded`, Bob signs receipts for the notes
// Alice's node signs of each ended round, and Alice's node records them on chain with no manual
// call; Alice is paid, Bob's unused escrow comes back, and Alice's points include the served units.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { NODE_BIN, freePort, rpc, startNode, submitInBlock, waitFor } from './lib/node.mjs';

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
  if (clientDir) rmSync(clientDir, { recursive: true, force: true });
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

/** The consumer client's records (a directory of its own, removed after the tests). */
let clientDir;

/**
 * Runs `proof-of-sync-node usage <args>` as Bob against Alice's node; resolves with its JSON
 * output, or rejects with its error (`refusal`: the endpoint's reason, `QuotaExceeded` say).
 */
function bobClient(...args) {
  const argv = ['usage', '--rpc', `http://127.0.0.1:${nodes.alice.rpcPort}`, '--suri', '//Bob',
    '--state-dir', clientDir, ...args];
  return new Promise((resolve, reject) => {
    execFile(NODE_BIN, argv, { timeout: 120_000, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const line = stderr.split('\n').find((l) => l.startsWith('{')) ?? stderr;
        let parsed = {};
        try { parsed = JSON.parse(line); } catch { /* not JSON */ }
        reject(Object.assign(new Error(`usage ${args[0]}: ${line}`), parsed));
      } else {
        resolve(JSON.parse(stdout));
      }
    });
  });
}

/** A storage unit on the local chain: 1 MiB (`probeConfig.storageUnit`). */
const MIB = 1 << 20;
/** Alice's price per storage unit and round: 50 milli-DSYNC (a 4-unit round is worth 0.2). */
const PRICE = 50n * 10n ** 9n;
/** Bob's lease: 4 storage units a round for 10 rounds. */
const LEASE_UNITS = 4;
const LEASE_ROUNDS = 10;

/** Waits until the round in progress is at least `r`. */
async function roundAtLeast(r) {
  return waitFor(`round ${r}`, async () => ((await currentRound()) >= r ? true : null),
    { timeoutMs: ROUNDS(2), intervalMs: 1_000 });
}

/** The usage events (method and data as JSON) of every block from `from` to the best block. */
async function usageEvents(from) {
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const found = [];
  for (let n = from; n <= best; n += 1) {
    const hash = await api.rpc.chain.getBlockHash(n);
    for (const { event } of await api.query.system.events.at(hash)) {
      // Every event of the scenario's blocks decodes with the node's metadata.
      const json = event.toJSON();
      assert.ok(json && event.section && event.method, `block ${n}: an event that does not decode`);
      if (event.section === 'usage') found.push({ block: n, method: event.method, data: event.data.toJSON() });
    }
  }
  return found;
}

/**
 * Bob leases storage from Alice, and uses it for two rounds; the lease is cancelled in its
 * second round. Runs while the tests below wait for their rounds; `leaseDone` holds its outcome.
 */
async function bobLeasesStorageFromAlice() {
  const free = async (who) => (await api.query.system.account(accounts[who].address)).data.free.toBigInt();
  await submitInBlock(api.tx.usage.setPrices({ compute: 0, storage: PRICE, bandwidth: 0 }), accounts.alice);
  const openedAt = (await api.rpc.chain.getHeader()).number.toNumber();
  const opened = await bobClient('open', '--provider', accounts.alice.address, '--kind', 'storage',
    '--units', String(LEASE_UNITS), '--rounds', String(LEASE_ROUNDS), '--max-price', PRICE.toString());
  const lease = opened.lease;
  const start = opened.startRound;
  assert.equal(BigInt(opened.deposited), PRICE * BigInt(LEASE_UNITS * LEASE_ROUNDS));
  console.log(`lease ${lease}: Bob leases ${LEASE_UNITS} MiB a round from Alice, rounds ${start} to ${opened.endRound}`);

  // Round `start`: Bob stores four 1 MiB objects (the quota), fetches one back, and a fifth is
  // refused, changing nothing.
  await roundAtLeast(start);
  for (const key of ['a', 'b', 'c', 'd']) {
    const file = join(clientDir, `${key}.bin`);
    writeFileSync(file, Buffer.alloc(MIB, key));
    const put = await bobClient('put', '--lease', lease, '--key', key, '--file', file);
    assert.equal(BigInt(put.node.bytes), BigInt(put.own.heldBytes));
  }
  const got = await bobClient('get', '--lease', lease, '--key', 'b');
  assert.equal(got.checked, true);
  assert.equal(Number(got.bytes), MIB);
  await assert.rejects(bobClient('put', '--lease', lease, '--key', 'e', '--data', 'e'),
    (error) => error.refusal === 'QuotaExceeded');
  await assert.rejects(bobClient('get', '--lease', lease, '--key', 'e'),
    (error) => error.refusal === 'NoObject');
  // Three of them are kept: the next round holds 3 units.
  await bobClient('delete', '--lease', lease, '--key', 'd');

  // Round start + 1: Alice's node notes round `start` at 4 units; Bob's own count agrees, so he
  // signs a receipt, and Alice's node records it with no call of Alice's: she is paid at once.
  await roundAtLeast(start + 1);
  const aliceBefore = await free('alice');
  const first = await bobClient('receipt', '--lease', lease);
  assert.deepEqual(first.receipted, [{ round: start, counter: String(LEASE_UNITS) }], JSON.stringify(first));
  assert.deepEqual(first.refused, []);
  const paid = await waitFor('Alice\'s node to record the receipted round', async () => {
    const events = await usageEvents(openedAt);
    return events.find((e) => e.method === 'UsagePaid' && e.data[1] === start) ?? null;
  }, { timeoutMs: ROUNDS(1), intervalMs: 2_000 });
  const bill = PRICE * BigInt(LEASE_UNITS);
  assert.equal(BigInt(paid.data[3]), bill - bill / 20n, '95 % of the bill to Alice');
  assert.equal(BigInt(paid.data[4]), bill / 20n, '5 % to the reward pot');
  assert.equal(await free('alice'), aliceBefore + bill - bill / 20n, 'Alice paid, with no fee of hers');
  // The round the payment landed in (a round is a session).
  const paidRound = (await api.query.session.currentIndex.at(await api.rpc.chain.getBlockHash(paid.block))).toNumber();

  // Bob cancels in round start + 1: the lease ends after two more rounds' notice, and the escrow
  // of the seven rounds that will not run comes back at once.
  const cancelled = await bobClient('cancel', '--lease', lease);
  const endRound = Number(cancelled.endRound);
  assert.ok(endRound > start + 1 && endRound < start + LEASE_ROUNDS, JSON.stringify(cancelled));
  const unrun = BigInt(start + LEASE_ROUNDS - endRound);

  // Round start + 2: the node notes round start + 1 at the 3 units held.
  await roundAtLeast(start + 2);
  const second = await bobClient('receipt', '--lease', lease);
  assert.deepEqual(second.receipted, [{ round: start + 1, counter: '3' }], JSON.stringify(second));
  await waitFor('the second round recorded', async () => {
    const events = await usageEvents(openedAt);
    return events.some((e) => e.method === 'UsagePaid' && e.data[1] === start + 1) || null;
  }, { timeoutMs: ROUNDS(1), intervalMs: 2_000 });

  // Alice's points of the round she was paid in include the units she served.
  await closed(paidRound);
  const score = (await api.rpc.proofOfSync.scoreBreakdown(accounts.alice.address, paidRound)).unwrap().toJSON();
  console.log(`round ${paidRound}: Alice's usage points ${score.usagePoints}, capacity points ${score.capacityPoints}, points ${score.points}`);
  assert.ok(BigInt(score.usagePoints) > 0n, JSON.stringify(score));

  // Round `start` is due three rounds after it: Alice's node settles it, fee-free, with no call
  // of anyone's (nothing more to pay, all receipted; nothing back, all four units billed).
  await roundAtLeast(start + 4);
  await waitFor('Alice\'s node to settle the first round', async () => {
    const events = await usageEvents(openedAt);
    return events.some((e) => e.method === 'RoundSettled' && e.data[1] === start) || null;
  }, { timeoutMs: ROUNDS(1), intervalMs: 2_000 });
  const events = await usageEvents(openedAt);
  const info = (await api.rpc.proofOfSync.lease(lease)).unwrap().toJSON();
  return { lease, start, endRound, unrun, events, info };
}

let leaseDone;

let down;

test('a thousandfold storage claim counts what the node holds; a stopped endpoint loses its share', async () => {
  assert.ok(baseline !== undefined, 'the first test found a baseline round');
  // Bob's lease runs beside this test and the next; the last test checks it.
  clientDir = mkdtempSync(join(tmpdir(), 'proof-of-sync-usage-'));
  leaseDone = bobLeasesStorageFromAlice().then((value) => ({ value }), (error) => ({ error }));
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

test('Bob leases storage from Alice: metered by her node, receipted, recorded, paid, refunded', async () => {
  assert.ok(leaseDone, 'the lease was opened');
  const { value, error } = await leaseDone;
  if (error) throw error;
  const { lease, start, endRound, unrun, events, info } = value;
  const of = (method) => events.filter((e) => e.method === method);
  console.log(`lease ${lease}: ${events.map((e) => e.method).join(', ')}`);
  assert.equal(of('LeaseOpened').length, 1);
  // Two rounds recorded by Alice's node (no record_usage of hers), each with Bob's receipt.
  assert.deepEqual(of('UsageRecorded').map((e) => [e.data[1], Number(e.data[2])]),
    [[start, LEASE_UNITS], [start + 1, 3]]);
  assert.deepEqual(of('ReceiptAccepted').map((e) => [e.data[1], Number(e.data[2])]),
    [[start, LEASE_UNITS], [start + 1, 3]]);
  // The cancellation returned the rounds that will not run.
  const [cancelled] = of('LeaseCancelled');
  assert.equal(cancelled.data[1], endRound);
  assert.equal(BigInt(cancelled.data[2]), PRICE * BigInt(LEASE_UNITS) * unrun);
  // Round `start` settled: paid already, nothing back.
  const settled = of('RoundSettled').find((e) => e.data[1] === start);
  assert.ok(settled, JSON.stringify(events));
  assert.equal(BigInt(settled.data[5]), 0n);
  // The chain's record agrees: paid the two receipted rounds, refunded the unrun ones (and
  // nothing more, if Alice's node settled round start + 1 by now: all of it was billed).
  const bill = PRICE * BigInt(LEASE_UNITS + 3);
  assert.equal(BigInt(info.paid), bill - PRICE * BigInt(LEASE_UNITS) / 20n - PRICE * 3n / 20n);
  const secondSettled = info.settledTo > start + 1 ? PRICE : 0n;
  assert.equal(BigInt(info.refunded), PRICE * BigInt(LEASE_UNITS) * unrun + secondSettled);
  assert.ok(info.settledTo >= start + 1, JSON.stringify(info));
});
