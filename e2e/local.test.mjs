// The local testnet: `--chain local` with --alice, --bob and --charlie forms a three-validator
// network on loopback that produces and finalizes blocks together.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { rpc, startNode, waitFor } from './lib/node.mjs';

const VALIDATORS = ['alice', 'bob', 'charlie'];
const nodes = [];
const apis = [];

before(async () => {
  const boot = await startNode('local-alice', ['--chain', 'local', '--alice', '--tmp']);
  nodes.push(boot);
  const peerId = await rpc(boot.rpcPort, 'system_localPeerId');
  const bootnode = `/ip4/127.0.0.1/tcp/${boot.p2pPort}/p2p/${peerId}`;
  for (const who of VALIDATORS.slice(1)) {
    nodes.push(
      await startNode(`local-${who}`, ['--chain', 'local', `--${who}`, '--tmp', '--bootnodes', bootnode]),
    );
  }
  for (const node of nodes) apis.push(await node.api());
});

after(async () => {
  await Promise.all(apis.map((api) => api.disconnect()));
  const exits = await Promise.all(nodes.map((node) => node.stop()));
  for (const exit of exits) assert.notEqual(exit.signal, 'SIGKILL', JSON.stringify(exit));
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
