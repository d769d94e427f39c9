// The dev chain as a user meets it: `proof-of-sync-node --dev`, driven by @polkadot/api.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { merkleizeMetadata } from '@polkadot-api/merkleize-metadata';
import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { rpc, startNode, waitFor } from './lib/node.mjs';

const DSYNC = 10n ** 12n;

/** The runtime's pallets and their fixed indices. */
const PALLETS = {
  System: 0,
  Timestamp: 1,
  Balances: 2,
  TransactionPayment: 3,
  Session: 4,
  Aura: 5,
  Grandpa: 6,
  Sudo: 7,
  Resources: 10,
  SyncAttestation: 11,
  Rewards: 12,
  Usage: 13,
};

let node;
let api;
let alice;
let bob;
let charlie;

before(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  alice = keyring.addFromUri('//Alice');
  bob = keyring.addFromUri('//Bob');
  charlie = keyring.addFromUri('//Charlie');
  node = await startNode('dev', ['--dev']);
  api = await node.api();
});

after(async () => {
  await api?.disconnect();
  const exit = await node?.stop();
  // A Substrate node shuts down cleanly on SIGTERM; a SIGKILL means it hung.
  if (exit) assert.notEqual(exit.signal, 'SIGKILL', `dev node did not stop: ${JSON.stringify(exit)}`);
});

/** `pallet.Error` for a module error (from the metadata), the raw error otherwise. */
function describeError(dispatchError) {
  if (!dispatchError.isModule) return dispatchError.toString();
  const { section, name } = api.registry.findMetaError(dispatchError.asModule);
  return `${section}.${name}`;
}

/**
 * Signs and submits `tx`, resolving with the block it was finalized in and its events, or
 * rejecting on a dispatch error or an invalid transaction.
 */
function submitAndFinalize(tx, signer, options = {}) {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    tx.signAndSend(signer, options, (result) => {
      if (result.dispatchError) {
        unsubscribe();
        reject(new Error(`dispatch error: ${describeError(result.dispatchError)}`));
      } else if (result.status.isInvalid || result.status.isDropped || result.status.isUsurped) {
        unsubscribe();
        reject(new Error(`transaction ${result.status.type}`));
      } else if (result.status.isFinalized) {
        unsubscribe();
        resolve({ blockHash: result.status.asFinalized, events: result.events });
      }
    })
      .then((u) => {
        unsubscribe = u;
      })
      .catch(reject);
  });
}

test('metadata decodes at v15 or later with every pallet at its fixed index', async () => {
  assert.ok(api.runtimeMetadata.version >= 15, `metadata v${api.runtimeMetadata.version}`);
  const pallets = Object.fromEntries(
    api.runtimeMetadata.asLatest.pallets.map((p) => [p.name.toString(), p.index.toNumber()]),
  );
  assert.deepEqual(pallets, PALLETS);
  // Every event and error type of the runtime is in the registry.
  assert.ok(api.events.balances.Transfer, 'Balances.Transfer event known');
  assert.ok(api.errors.balances.InsufficientBalance, 'Balances.InsufficientBalance known');
  const versions = (await api.call.metadata.metadataVersions()).map((v) => v.toNumber());
  assert.ok(versions.includes(16), `metadata versions ${versions}`);
  assert.equal(api.runtimeVersion.specName.toString(), 'proof-of-sync');
});

test('chain properties are DSYNC, 12 decimals, SS58 prefix 42, matching the runtime', async () => {
  const properties = await rpc(node.rpcPort, 'system_properties');
  assert.deepEqual(properties, { ss58Format: 42, tokenDecimals: 12, tokenSymbol: 'DSYNC' });
  assert.deepEqual(api.registry.chainTokens, ['DSYNC']);
  assert.deepEqual(api.registry.chainDecimals, [12]);
  assert.equal(api.registry.chainSS58, 42);
  assert.equal(api.consts.system.ss58Prefix.toNumber(), 42);
  assert.equal((await api.rpc.system.chainType()).toString(), 'Development');
});

test('the dev chain produces and finalizes blocks on its own', async () => {
  const finalized = await waitFor('block 2 to be finalized', async () => {
    const head = await api.rpc.chain.getFinalizedHead();
    const header = await api.rpc.chain.getHeader(head);
    return header.number.toNumber() >= 2 && header.number.toNumber();
  });
  assert.ok(finalized >= 2);
  const authorities = await api.query.aura.authorities();
  assert.deepEqual(authorities.map((a) => a.toHex()), [u8aToHex(alice.publicKey)]);
  assert.deepEqual((await api.query.session.validators()).map((v) => v.toString()), [alice.address]);
});

test('a signed balance transfer is included and finalized', async () => {
  const amount = 12n * DSYNC;
  const before = (await api.query.system.account(bob.address)).data.free.toBigInt();
  const { blockHash, events } = await submitAndFinalize(
    api.tx.balances.transferKeepAlive(bob.address, amount),
    alice,
  );
  const names = events.map(({ event }) => `${event.section}.${event.method}`);
  assert.ok(names.includes('balances.Transfer'), names.join(', '));
  assert.ok(names.includes('system.ExtrinsicSuccess'), names.join(', '));
  const transfer = events.find(({ event }) => api.events.balances.Transfer.is(event)).event;
  assert.equal(transfer.data.from.toString(), alice.address);
  assert.equal(transfer.data.to.toString(), bob.address);
  assert.equal(transfer.data.amount.toBigInt(), amount);

  const apiAt = await api.at(blockHash);
  const after = (await apiAt.query.system.account(bob.address)).data.free.toBigInt();
  assert.equal(after - before, amount);
  // Every event of the block decodes.
  for (const { event } of await apiAt.query.system.events()) {
    assert.ok(event.section && event.method);
  }
});

test('CheckMetadataHash commits to DSYNC/12: a transfer signed with the metadata hash lands', async () => {
  const metadata = await api.call.metadata.metadataAtVersion(15);
  const hash = merkleizeMetadata(metadata.unwrap().toU8a(true), {
    decimals: 12,
    tokenSymbol: 'DSYNC',
  }).digest();
  const { events } = await submitAndFinalize(
    api.tx.balances.transferKeepAlive(bob.address, DSYNC),
    alice,
    { mode: 1, metadataHash: u8aToHex(hash) },
  );
  assert.ok(events.some(({ event }) => api.events.system.ExtrinsicSuccess.is(event)));

  // The same transfer with a hash for another token is refused by the runtime.
  const wrong = merkleizeMetadata(metadata.unwrap().toU8a(true), {
    decimals: 12,
    tokenSymbol: 'UNIT',
  }).digest();
  await assert.rejects(
    submitAndFinalize(api.tx.balances.transferKeepAlive(bob.address, DSYNC), alice, {
      mode: 1,
      metadataHash: u8aToHex(wrong),
    }),
    /1010|Invalid|BadProof/i,
  );
});

test('Alice is a genesis provider and validator candidate with her bond held', async () => {
  const info = (await api.query.resources.providers(alice.address)).unwrap();
  assert.equal(info.status.type, 'Active');
  assert.equal(info.bond.toBigInt(), 1_000n * DSYNC);
  assert.equal(info.endpoint.toUtf8(), 'http://127.0.0.1:30555');
  assert.deepEqual(info.capacity.toJSON(), { compute: 4000, storage: 100, bandwidth: 1000 });
  const candidates = await api.query.resources.candidates();
  assert.deepEqual(candidates.map((c) => c.toString()), [alice.address]);
  assert.equal((await api.query.resources.activeProviders()).toNumber(), 1);
  const holds = await api.query.balances.holds(alice.address);
  const bond = holds.find((h) => h.id.isResources && h.id.asResources.isProviderBond);
  assert.equal(bond?.amount.toBigInt(), 1_000n * DSYNC);
});

test('a provider registers with a signed call; a too-small bond is refused with a typed error', async () => {
  const capacity = { compute: 2000, storage: 50, bandwidth: 100 };
  // Below MinProviderBond: refused, and nothing is stored.
  await assert.rejects(
    submitAndFinalize(
      api.tx.resources.register('http://127.0.0.1:30600', capacity, 1n * DSYNC),
      charlie,
    ),
    (err) => {
      assert.match(err.message, /dispatch error: resources\.BondTooLow/);
      return true;
    },
  );
  assert.ok((await api.query.resources.providers(charlie.address)).isNone);

  const { events } = await submitAndFinalize(
    api.tx.resources.register('http://127.0.0.1:30600', capacity, 150n * DSYNC),
    charlie,
  );
  const registered = events.find(({ event }) => api.events.resources.ProviderRegistered.is(event));
  assert.ok(registered, 'ProviderRegistered emitted');
  const { provider, bond, activeSince } = registered.event.data;
  assert.equal(provider.toString(), charlie.address);
  assert.equal(bond.toBigInt(), 150n * DSYNC);
  const round = (await api.query.session.currentIndex()).toNumber();
  assert.ok(activeSince.toNumber() >= 1 && activeSince.toNumber() <= round + 1);
  const info = (await api.query.resources.providers(charlie.address)).unwrap();
  assert.equal(info.bond.toBigInt(), 150n * DSYNC);
  assert.equal(info.endpoint.toUtf8(), 'http://127.0.0.1:30600');
});

test('rpc_methods lists the standard, system and payment methods', async () => {
  const { methods } = await rpc(node.rpcPort, 'rpc_methods');
  for (const method of [
    'author_submitExtrinsic',
    'author_submitAndWatchExtrinsic',
    'author_rotateKeys',
    'author_rotateKeysWithOwner',
    'chain_getBlock',
    'chain_getFinalizedHead',
    'chain_subscribeNewHeads',
    'state_call',
    'state_getMetadata',
    'state_getStorage',
    'system_health',
    'system_properties',
    'system_accountNextIndex',
    'system_dryRun',
    'payment_queryInfo',
    'payment_queryFeeDetails',
    'rpc_methods',
  ]) {
    assert.ok(methods.includes(method), `${method} missing from rpc_methods`);
  }
  const info = await api.tx.balances.transferKeepAlive(bob.address, DSYNC).paymentInfo(alice);
  assert.ok(info.partialFee.toBigInt() > 0n);
});

test('Prometheus metrics are served', async () => {
  const response = await fetch(`http://127.0.0.1:${node.prometheusPort}/metrics`);
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.match(text, /substrate_block_height\{status="finalized"/);
});
