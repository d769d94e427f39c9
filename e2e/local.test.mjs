// The local testnet: `--chain local` with --alice, --bob and --charlie forms a three-validator
// network on loopback that produces and finalizes blocks together. Then Charlie's node is stopped:
// GRANDPA (three votes of three) stalls, Charlie loses its seat for authoring nothing, the chain
// forces a GRANDPA set change by itself and finality resumes; Charlie's node comes back on its
// database, sends a heartbeat and regains its seat.

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
// Charlie's node keeps its database on disk, so that it can come back on it.
const CHARLIE_DB = join(LOG_DIR, 'local-charlie-db');
const charlieArgs = () => ['--chain', 'local', '--charlie', '--base-path', CHARLIE_DB, '--bootnodes', bootnode];

before(async () => {
  rmSync(CHARLIE_DB, { recursive: true, force: true });
  const boot = await startNode('local-alice', ['--chain', 'local', '--alice', '--tmp']);
  nodes.push(boot);
  const peerId = await rpc(boot.rpcPort, 'system_localPeerId');
  bootnode = `/ip4/127.0.0.1/tcp/${boot.p2pPort}/p2p/${peerId}`;
  nodes.push(
    await startNode('local-bob', ['--chain', 'local', '--bob', '--tmp', '--bootnodes', bootnode]),
  );
  nodes.push(await startNode('local-charlie', charlieArgs()));
  for (const node of nodes) apis.push(await node.api());
});

after(async () => {
  await Promise.all(apis.map((api) => api.disconnect()));
  const exits = await Promise.all(nodes.map((node) => node.stop()));
  for (const exit of exits) assert.notEqual(exit.signal, 'SIGKILL', JSON.stringify(exit));
  rmSync(CHARLIE_DB, { recursive: true, force: true });
});

test('the three validators connect to each other', async () => {
  for (const node of nodes) {
    await waitFor(`${node.name} to have 2 peers`, async () => {
      const health = await rpc(node.rpcPort, 'system_health');
      return health.peers >= 2;
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

test('a stopped validator loses its seat, finality heals without root, and it comes back', async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  const [alice, bob, charlie] = ['//Alice', '//Bob', '//Charlie'].map((uri) => keyring.addFromUri(uri).address);
  const api = apis[0];
  const validators = async () => (await api.query.session.validators()).map((v) => v.toString());
  const grandpaSetSize = async () => (await api.call.grandpaApi.grandpaAuthorities()).length;

  // Healthy: Charlie sits, and has authored (so it is judged from here on).
  await waitFor('a finalized block 12', async () => (await finalizedNumber(api)) >= 12, { timeoutMs: 180_000 });
  assert.deepEqual((await validators()).sort(), [alice, bob, charlie].sort());

  // Charlie's node goes down.
  await apis[2].disconnect();
  apis.pop();
  const stopped = nodes.pop();
  assert.notEqual((await stopped.stop()).signal, 'SIGKILL');
  const stopAt = await bestNumber(api);
  const finalAtStop = await finalizedNumber(api);
  const finalHash = (await api.rpc.chain.getBlockHash(finalAtStop)).toHex();
  console.log(`# charlie stopped at best block ${stopAt}, finalized ${finalAtStop}`);

  // Finality stops: GRANDPA needs all three votes of three.
  await waitFor('the chain to build 8 blocks past the stop', async () => (await bestNumber(api)) >= stopAt + 8, {
    timeoutMs: 180_000,
  });
  assert.ok((await finalizedNumber(api)) <= stopAt, 'finality went on without Charlie');

  // Charlie is benched for its empty slots, the chain sees the stall and forces a GRANDPA change
  // to Alice and Bob: finality resumes, and no finalized block was reverted.
  await waitFor('Charlie to leave the session and the GRANDPA set', async () => {
    const set = await validators();
    return !set.includes(charlie) && (await grandpaSetSize()) === 2;
  }, { timeoutMs: 900_000, intervalMs: 3_000 });
  // The runtime enacts a standard change at once, but nodes only once it is finalized: finality
  // resumes through the forced change.
  const leftAt = await bestNumber(api);
  assert.deepEqual((await validators()).sort(), [alice, bob].sort(), 'Alice and Bob keep their seats');
  await waitFor('finality to resume past the stall', async () => (await finalizedNumber(api)) > leftAt, {
    timeoutMs: 600_000,
    intervalMs: 2_000,
  });
  const healedAt = await bestNumber(api);
  assert.equal((await api.rpc.chain.getBlockHash(finalAtStop)).toHex(), finalHash, 'a finalized block changed');
  const stallEvents = await syncEvents(api, stopAt, healedAt);
  const benched = stallEvents.find((e) => e.method === 'AuthorityBenched');
  const stalled = stallEvents.find((e) => e.method === 'FinalityStalled');
  assert.ok(benched, `no AuthorityBenched in blocks ${stopAt}..${healedAt}`);
  assert.equal(keyring.encodeAddress(benched.data[0]), charlie);
  assert.ok(stalled, `no FinalityStalled in blocks ${stopAt}..${healedAt}`);
  assert.ok(stalled.data[1] >= finalAtStop && stalled.data[1] <= stopAt, `base ${stalled.data[1]}`);
  console.log(
    `# benched at block ${benched.block}, out of the set by block ${leftAt}, stall seen at block ` +
      `${stalled.block} (base ${stalled.data[1]}), finality resumed by block ${healedAt}`,
  );

  // Charlie's node comes back on its database: it catches up, its heartbeat unbenches it, and
  // with points again it regains its seat.
  const restarted = await startNode('local-charlie-restarted', charlieArgs());
  nodes.push(restarted);
  const charlieApi = await restarted.api();
  apis.push(charlieApi);
  const backAt = await bestNumber(api);
  await waitFor('Charlie to be back in the session and the GRANDPA set', async () => {
    const set = await validators();
    return set.includes(charlie) && (await grandpaSetSize()) === 3;
  }, { timeoutMs: 900_000, intervalMs: 3_000 });
  const seatedAt = await bestNumber(api);
  const returnEvents = await syncEvents(api, backAt, seatedAt);
  assert.ok(
    returnEvents.some((e) => e.method === 'HeartbeatReceived' && keyring.encodeAddress(e.data[0]) === charlie),
    'no heartbeat from Charlie',
  );
  // All three finalize together again, Charlie's node included.
  await waitFor('Charlie to finalize past its return', async () => (await finalizedNumber(charlieApi)) > seatedAt, {
    timeoutMs: 300_000,
    intervalMs: 2_000,
  });
  console.log(`# charlie restarted at block ${backAt}, seated again by block ${seatedAt}`);
});
