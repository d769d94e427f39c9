// How many usage records a block carries: a measurement, not a test (`scripts/measure-usage.sh`).
//
// On a fresh dev chain, Bob leases 1 000 Mbit/s of bandwidth from Alice (a quota of 60 000
// megabits a round), and Alice records the round's usage as fast as the pool takes it: `COUNT`
// `record_usage` transactions, each with a higher counter and Bob's receipt for it (the costliest
// form, the one that pays at once), all submitted at the start of the lease's first round. The
// script then counts, block by block, the records each block took, its normal-class weight and its
// encoded length, and prints them with the bounds the weights give for `record_usage` with a
// receipt and for a node's fee-free `record_receipted` (what `Usage` declares for each, from the
// runtime's `TransactionPaymentCallApi`). One JSON object per block, then a summary.
//
// Environment: COUNT (default 3000), PROOF_OF_SYNC_NODE (the binary).

import assert from 'node:assert/strict';

import { Keyring } from '@polkadot/keyring';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { startNode, submitInBlock, waitFor } from './lib/node.mjs';

const COUNT = Number(process.env.COUNT ?? 3000);
/** Plancks per megabit: 60 000 megabits a round are worth 0.6 DSYNC, above the 0.1 minimum. */
const PRICE = 10n ** 7n;
const UNITS = 1000;

await cryptoWaitReady();
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
const alice = keyring.addFromUri('//Alice');
const bob = keyring.addFromUri('//Bob');
const node = await startNode('measure-usage-records', ['--dev', '--tmp', '--pool-limit', '20000',
  '--pool-kbytes', '81920']);
let api;
try {
  api = await node.api();
  const round = async () => (await api.rpc.proofOfSync.roundInfo()).unwrap().index.toNumber();
  await submitInBlock(api.tx.usage.setPrices({ compute: 0, storage: 0, bandwidth: PRICE }), alice);
  const lease = (await api.query.usage.nextLeaseId()).toNumber();
  await submitInBlock(api.tx.usage.openLease(alice.address, 'Bandwidth', UNITS, 3, PRICE), bob);
  const info = (await api.rpc.proofOfSync.lease(lease)).unwrap();
  const start = info.startRound.toNumber();
  const genesis = await api.rpc.chain.getBlockHash(0);
  const context = api.createType('Bytes', 'proof-of-sync/usage-receipt');

  // Bob's receipts and Alice's signed transactions, made before the round starts.
  const nonce = (await api.rpc.system.accountNextIndex(alice.address)).toNumber();
  const txs = [];
  for (let i = 1; i <= COUNT; i += 1) {
    const payload = u8aConcat(
      context.toU8a(),
      genesis.toU8a(),
      api.createType('u64', lease).toU8a(),
      info.openedAfter.toU8a(),
      api.createType('u32', start).toU8a(),
      api.createType('u64', i).toU8a(),
    );
    const receipt = { Sr25519: u8aToHex(bob.sign(payload)) };
    const tx = api.tx.usage.recordUsage(lease, start, i, receipt);
    txs.push(await tx.signAsync(alice, { nonce: nonce + i - 1, era: 0 }));
  }
  await waitFor(`round ${start}`, async () => (await round()) >= start, { timeoutMs: 180_000 });
  const from = (await api.rpc.chain.getHeader()).number.toNumber() + 1;
  const submitted = Date.now();
  for (let i = 0; i < txs.length; i += 200) {
    await Promise.all(txs.slice(i, i + 200).map((tx) => api.rpc.author.submitExtrinsic(tx)));
  }
  console.error(`submitted ${COUNT} records in ${Date.now() - submitted} ms`);

  // Count what each block took until the last record is in.
  const perBlock = [];
  let recorded = 0;
  let n = from;
  await waitFor('every record in a block', async () => {
    const best = (await api.rpc.chain.getHeader()).number.toNumber();
    for (; n <= best; n += 1) {
      const hash = await api.rpc.chain.getBlockHash(n);
      const events = await api.query.system.events.at(hash);
      const records = events.filter(({ event }) => api.events.usage.UsageRecorded.is(event)).length;
      const weight = (await api.query.system.blockWeight.at(hash)).normal.refTime.toBigInt();
      const block = await api.rpc.chain.getBlock(hash);
      const length = block.block.encodedLength;
      recorded += records;
      const line = { block: n, records, normalRefTimeMs: Number(weight / 1_000_000n) / 1000, lengthBytes: length };
      perBlock.push(line);
      console.log(JSON.stringify(line));
    }
    return recorded >= COUNT;
  }, { timeoutMs: 600_000, intervalMs: 3_000 });

  // One record's encoded length, from a block's bytes (not `tx.toHex()`).
  const fullBlock = perBlock.find((line) => line.records > 0);
  const body = (await api.rpc.chain.getBlock(await api.rpc.chain.getBlockHash(fullBlock.block))).block.extrinsics;
  const recordLength = body.find((xt) => xt.method.section === 'usage').encodedLength;

  // What the weights allow.
  const limits = api.consts.system.blockWeights;
  const normal = limits.perClass.normal;
  const maxTotal = normal.maxTotal.unwrap().refTime.toBigInt();
  const base = normal.baseExtrinsic.refTime.toBigInt();
  const callWeight = async (call) => {
    const info = await api.call.transactionPaymentCallApi.queryCallInfo(call, call.encodedLength);
    return info.weight.refTime.toBigInt();
  };
  const signedWeight = await callWeight(api.tx.usage.recordUsage(lease, start, 1, { Sr25519: u8aToHex(new Uint8Array(64)) }));
  const noteCall = api.tx.usage.recordReceipted(
    { lease, openedAfter: info.openedAfter, round: start, counter: 1 },
    { Sr25519: u8aToHex(new Uint8Array(64)) },
    u8aToHex(new Uint8Array(64)),
  );
  const freeWeight = await callWeight(noteCall);
  const maxLength = api.consts.system.blockLength.max.normal.toNumber();
  const full = perBlock.reduce((best, line) => (line.records > best.records ? line : best));
  const us = (picoseconds) => Number(picoseconds / 1_000_000n);
  const summary = {
    count: COUNT,
    blocks: perBlock.filter((line) => line.records > 0).length,
    mostPerBlock: full.records,
    // What one signed record took of the block, all its extensions (nonce, fee) included.
    measuredRefTimePerRecordUs: Math.round((full.normalRefTimeMs * 1000) / full.records),
    recordLengthBytes: recordLength,
    normalMaxRefTimeMs: Number(maxTotal / 1_000_000n) / 1000,
    baseExtrinsicUs: us(base),
    // The calls' own weights (the runtime's benchmarks), without the transaction's extensions.
    recordUsageWithReceiptCallUs: us(signedWeight),
    recordReceiptedCallUs: us(freeWeight),
    boundByLength: Math.floor(maxLength / recordLength),
  };
  console.log(JSON.stringify(summary));
  assert.equal(recorded, COUNT);
} finally {
  await api?.disconnect();
  await node.stop();
}
