// The local testnet: `--chain local` with --alice, --bob and --charlie forms a three-validator
// network on loopback (with one full node besides) that produces and finalizes blocks together.
// Then Charlie's node is stopped: GRANDPA (three votes of three) stalls, Charlie loses its seat for
// authoring nothing, the chain forces a GRANDPA set change by itself and finality resumes with
// Alice and Bob. Then Bob's node
// is stopped too, two of the three: finality stalls again and heals with Alice alone. Bob's and
// Charlie's nodes come back on their databases, catch up, send heartbeats and regain their seats,
// and no finalized block was reverted.

import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { LOG_DIR, rpc, startNode, waitFor } from './lib/node.mjs';

const VALIDATORS = ['alice', 'bob', 'charlie'];
const nodes = [];
const apis = [];
let bootnode;
// A full node that is no validator stays up throughout: a validator with no peers does not author
// (Substrate's slot worker waits for the network when the set has more than one authority), and a
// real network has more nodes than its validators.
let observer;
// Bob's and Charlie's nodes keep their databases on disk, so that they can come back on them.
const dbOf = (who) => join(LOG_DIR, `local-${who}-db`);
const argsOf = (who) => ['--chain', 'local', `--${who}`, '--base-path', dbOf(who), '--bootnodes', bootnode];

before(async () => {
  for (const who of ['bob', 'charlie']) rmSync(dbOf(who), { recursive: true, force: true });
  const boot = await startNode('local-alice', ['--chain', 'local', '--alice', '--tmp']);
  nodes.push(boot);
  const peerId = await rpc(boot.rpcPort, 'system_localPeerId');
  bootnode = `/ip4/127.0.0.1/tcp/${boot.p2pPort}/p2p/${peerId}`;
  observer = await startNode('local-observer', ['--chain', 'local', '--tmp', '--bootnodes', bootnode]);
  nodes.push(await startNode('local-bob', argsOf('bob')));
  nodes.push(await startNode('local-charlie', argsOf('charlie')));
  for (const node of nodes) apis.push(await node.api());
});

after(async () => {
  await Promise.all(apis.map((api) => api.disconnect()));
  const exits = await Promise.all([...nodes, observer].filter(Boolean).map((node) => node.stop()));
  for (const exit of exits) assert.notEqual(exit.signal, 'SIGKILL', JSON.stringify(exit));
  for (const who of ['bob', 'charlie']) rmSync(dbOf(who), { recursive: true, force: true });
});

test('the three validators connect to each other', async () => {
  for (const node of nodes) {
    await waitFor(`${node.name} to have 3 peers`, async () => {
      const health = await rpc(node.rpcPort, 'system_health');
      return health.peers >= 3;
    });
  }
});

test('the genesis authority set is Alice, Bob and Charlie', async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const expected = ['//Alice', '//Bob', '//Charlie'].map((uri) =>
    u8aToHex(keyring.addFromUri(uri).publicKey),
  );
  const authorities = (await apis[0].query.aura.authorities()).map((a) => a.toHex());
  assert.deepEqual(authorities, expected);
  const grandpa = await apis[0].call.grandpaApi.grandpaAuthorities();
  assert.equal(grandpa.length, 3);
});

test('all three author blocks and agree on a finalized chain', async () => {
  // Aura hands slots round-robin, so once all three are up, any six blocks in a row have all three
  // authors; GRANDPA finalizes only with all three votes (more than two thirds of three).
  const target = 10;
  for (const api of apis) {
    await waitFor(`finalized block ${target}`, async () => {
      const header = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
      return header.number.toNumber() >= target;
    }, { timeoutMs: 180_000 });
  }
  const hashes = await Promise.all(apis.map((api) => api.rpc.chain.getBlockHash(target)));
  assert.equal(new Set(hashes.map((h) => h.toHex())).size, 1, 'nodes disagree on a finalized block');

  const authors = new Set();
  for (let n = target - 5; n <= target; n += 1) {
    const header = await apis[0].derive.chain.getHeader(await apis[0].rpc.chain.getBlockHash(n));
    authors.add(header.author?.toString());
  }
  assert.equal(authors.size, 3, `authors of blocks ${target - 5}..${target}: ${[...authors]}`);
});

/** The finalized block number on `api`'s node. */
async function finalizedNumber(api) {
  const header = await api.rpc.chain.getHeader(await api.rpc.chain.getFinalizedHead());
  return header.number.toNumber();
}

/** The best block number on `api`'s node. */
async function bestNumber(api) {
  return (await api.rpc.chain.getHeader()).number.toNumber();
}

/** The Proof of Sync events of blocks `from..=to` on `api`'s node, with their block numbers. */
async function syncEvents(api, from, to) {
  const found = [];
  for (let n = from; n <= to; n += 1) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const records = await api.query.system.events.at(hash);
    for (const { event } of records) {
      if (event.section === 'syncAttestation') found.push({ block: n, method: event.method, data: event.data.toJSON() });
    }
  }
  return found;
}

/** What the scenario below learns in one step and checks in a later one. */
const seen = { finalized: [] };

/** Accounts, session validators and GRANDPA set size on Alice's node. */
async function chainView() {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map((uri) => keyring.addFromUri(uri).address);
  const api = apis[0];
  const validators = async () => (await api.query.session.validators()).map((v) => v.toString());
  const grandpaSetSize = async () => (await api.call.grandpaApi.grandpaAuthorities()).length;
  return { keyring, alice, bob, charlie, api, validators, grandpaSetSize };
}

/** Stops the node started last (and its API), and returns the best and finalized numbers on
 * `api`'s node then; remembers the finalized block's hash. */
async function stopLast(api) {
  await apis.pop().disconnect();
  const stopped = nodes.pop();
  assert.notEqual((await stopped.stop()).signal, 'SIGKILL');
  const stopAt = await bestNumber(api);
  const finalAtStop = await finalizedNumber(api);
  seen.finalized.push([finalAtStop, (await api.rpc.chain.getBlockHash(finalAtStop)).toHex()]);
  console.log(`# ${stopped.name} stopped at best block ${stopAt}, finalized ${finalAtStop}`);
  return { stopAt, finalAtStop };
}

/** Waits until `who` has left the session and the GRANDPA set is `size`, then until finality
 * passes that block; checks the events after `stopAt` until then: `who` benched, a stall seen with
 * a base between `finalAtStop` and `stopAt`. */
async function seeHealed(view, who, size, { stopAt, finalAtStop }) {
  const { api, keyring, validators, grandpaSetSize } = view;
  // Finality stops: GRANDPA needs more than two thirds of the set's votes.
  await waitFor('the chain to build 8 blocks past the stop', async () => (await bestNumber(api)) >= stopAt + 8, {
    timeoutMs: 180_000,
  });
  assert.ok((await finalizedNumber(api)) <= stopAt, 'finality went on without the stopped node');
  await waitFor(`${who} to leave the session and GRANDPA set to be ${size}`, async () => {
    const set = await validators();
    return !set.includes(who) && (await grandpaSetSize()) === size;
  }, { timeoutMs: 900_000, intervalMs: 3_000 });
  // The runtime enacts a standard change at once, but nodes only once it is finalized: finality
  // resumes through the forced change.
  const leftAt = await bestNumber(api);
  await waitFor('finality to resume past the stall', async () => (await finalizedNumber(api)) > leftAt, {
    timeoutMs: 600_000,
    intervalMs: 2_000,
  });
  const healedAt = await bestNumber(api);
  // From the block after the stop: the stop's own block may carry the previous stall's events.
  const events = await syncEvents(api, stopAt + 1, healedAt);
  const benched = events.find((e) => e.method === 'AuthorityBenched' && keyring.encodeAddress(e.data[0]) === who);
  const stalled = events.find((e) => e.method === 'FinalityStalled');
  assert.ok(benched, `no AuthorityBenched of ${who} in blocks ${stopAt + 1}..${healedAt}`);
  assert.ok(stalled, `no FinalityStalled in blocks ${stopAt + 1}..${healedAt}`);
  assert.ok(stalled.data[1] >= finalAtStop && stalled.data[1] <= stopAt, `base ${stalled.data[1]}`);
  console.log(
    `# benched at block ${benched.block}, out of the set by block ${leftAt}, stall seen at block ` +
      `${stalled.block} (base ${stalled.data[1]}), finality resumed by block ${healedAt}`,
  );
  return healedAt;
}

test('a stopped validator loses its seat and finality heals without root', async () => {
  const view = await chainView();
  const { api, alice, bob, charlie, validators } = view;
  // Healthy: Charlie sits, and has authored (so it is judged from here on).
  await waitFor('a finalized block 12', async () => (await finalizedNumber(api)) >= 12, { timeoutMs: 180_000 });
  assert.deepEqual((await validators()).sort(), [alice, bob, charlie].sort());

  // Charlie's node goes down: it is benched for its empty slots, the chain sees the stall and
  // forces a GRANDPA change to Alice and Bob, and finality resumes.
  const stop = await stopLast(api);
  await seeHealed(view, charlie, 2, stop);
  assert.deepEqual((await validators()).sort(), [alice, bob].sort(), 'Alice and Bob keep their seats');
});

test('with two of the three validators stopped, finality heals with the one left', async () => {
  const view = await chainView();
  const { api, alice, bob, validators } = view;
  // Bob's node goes down too: the set of two stalls, Bob is benched, and the chain forces a
  // change to Alice alone.
  const stop = await stopLast(api);
  await seeHealed(view, bob, 1, stop);
  assert.deepEqual(await validators(), [alice], 'Alice keeps her seat');
});

test('the stopped validators come back, catch up and regain their seats', async () => {
  const { api, keyring, bob, charlie, validators, grandpaSetSize } = await chainView();
  // Both nodes come back on their databases: they catch up, their heartbeats unbench them, and
  // with points again they regain their seats.
  const backAt = await bestNumber(api);
  for (const who of ['bob', 'charlie']) {
    const node = await startNode(`local-${who}-restarted`, argsOf(who));
    nodes.push(node);
    apis.push(await node.api());
  }
  await waitFor('Bob and Charlie to be back in the session and the GRANDPA set', async () => {
    const set = await validators();
    return set.includes(bob) && set.includes(charlie) && (await grandpaSetSize()) === 3;
  }, { timeoutMs: 900_000, intervalMs: 3_000 });
  const seatedAt = await bestNumber(api);
  const events = await syncEvents(api, backAt, seatedAt);
  for (const who of [bob, charlie]) {
    assert.ok(
      events.some((e) => e.method === 'HeartbeatReceived' && keyring.encodeAddress(e.data[0]) === who),
      `no heartbeat from ${who}`,
    );
  }
  // All three finalize together again, and every node has the blocks finalized before each stop.
  for (const [index, nodeApi] of apis.entries()) {
    await waitFor(`${nodes[index].name} to finalize past the return`, async () => (await finalizedNumber(nodeApi)) > seatedAt, {
      timeoutMs: 300_000,
      intervalMs: 2_000,
    });
    for (const [number, hash] of seen.finalized) {
      assert.equal((await nodeApi.rpc.chain.getBlockHash(number)).toHex(), hash, `finalized block ${number} changed`);
    }
  }
  console.log(`# bob and charlie restarted at block ${backAt}, seated again by block ${seatedAt}`);
});
