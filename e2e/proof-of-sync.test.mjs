// Proof of Sync on the dev chain, end to end: Alice's node answers its sync challenges on its
// own, her points and pending rewards grow round after round, claiming pays her, every
// `proofOfSync_*` RPC method answers, and every block and event decodes.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';

import { DEFINITIONS, startNode, submitInBlock, waitFor } from './lib/node.mjs';

let node;
let api;
let alice;

before(async () => {
  await cryptoWaitReady();
  alice = new Keyring({ type: 'sr25519', ss58Format: 42 }).addFromUri('//Alice');
  node = await startNode('proof-of-sync', ['--dev']);
  api = await node.api();
});

after(async () => {
  await api?.disconnect();
  const exit = await node?.stop();
  if (exit) assert.notEqual(exit.signal, 'SIGKILL', `dev node did not stop: ${JSON.stringify(exit)}`);
});

/** The round in progress, from `proofOfSync_roundInfo`. */
async function round() {
  const info = await api.rpc.proofOfSync.roundInfo();
  assert.ok(info.isSome, 'a round is running');
  return info.unwrap();
}

test('every proofOfSync RPC method answers at the start', async () => {
  const info = await round();
  assert.equal(info.length.toNumber(), 10);
  assert.equal(info.providers.toNumber(), 1, 'Alice is the genesis provider');
  // The only provider: every block of the challenge span challenges Alice.
  assert.equal(info.challengeOdds.toNumber(), 1_000_000_000);
  assert.equal(info.expectedChallengesMilli.toNumber(), 6_000);

  const provider = (await api.rpc.proofOfSync.provider(alice.address)).unwrap();
  assert.equal(provider.endpoint.toString(), 'http://127.0.0.1:30555');
  assert.ok(provider.status.isActive, `status ${provider.status.type}`);
  assert.ok(provider.candidate.isTrue && provider.authority.isTrue && provider.hasSyncKey.isTrue);

  // The challenges so far: the blocks of the round built up to the queried one (a challenge is
  // not known before its parent block is built).
  const head = await api.rpc.chain.getHeader();
  const at = head.hash;
  const now = head.number.toNumber();
  const roundAt = await api.rpc.proofOfSync.roundInfo(at);
  const challenges = (await api.rpc.proofOfSync.challenges(alice.address, at)).map((b) => b.toNumber());
  const start = roundAt.unwrap().start.toNumber();
  // With odds 1, the span is the expected count.
  const span = roundAt.unwrap().expectedChallengesMilli.toNumber() / 1000;
  const wanted = [];
  for (let n = Math.max(start, 1); n <= now && n < start + span; n += 1) wanted.push(n);
  assert.deepEqual(challenges, wanted);
  // Not a provider: null.
  assert.ok((await api.rpc.proofOfSync.provider(new Keyring().addFromUri('//Nobody').address)).isNone);
  assert.ok(Array.isArray((await api.rpc.proofOfSync.pendingRewards(alice.address)).toArray()));
  await api.rpc.proofOfSync.scoreBreakdown(alice.address);
  await api.rpc.proofOfSync.leaderboard();
  // No lease yet; Alice's three kinds are her declared capacity (no verifier measured it on a
  // dev chain), none priced or booked.
  assert.equal((await api.rpc.proofOfSync.leases(alice.address)).length, 0);
  assert.ok((await api.rpc.proofOfSync.lease(0)).isNone);
  const kinds = await api.rpc.proofOfSync.utilization(alice.address);
  assert.deepEqual(kinds.map((k) => k.kind.toString()), ['Compute', 'Storage', 'Bandwidth']);
  assert.deepEqual(kinds.map((k) => k.capacity.toString()), ['4000', '100', '1000']);
  assert.ok(kinds.every((k) => k.price.isZero() && k.booked.isZero() && k.leases.isZero()));

  // The node serves exactly the methods the polkadot.js definitions declare.
  const served = (await api.rpc.rpc.methods()).methods
    .map((m) => m.toString())
    .filter((m) => m.startsWith('proofOfSync_'))
    .sort();
  const declared = Object.entries(DEFINITIONS.rpc.proofOfSync)
    .flatMap(([name, def]) => (def.pubsub ? def.pubsub.slice(1) : [name]))
    .map((name) => `proofOfSync_${name}`)
    .sort();
  assert.deepEqual(served, declared);

  // Out-of-range input is a typed error, not a result.
  await assert.rejects(api.rpc.proofOfSync.leaderboard(null, 0, 1000), /pageSize must be between 1 and 100/);
});

test('the round subscription notifies the round in progress', async () => {
  let unsubscribe;
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no notification within 30 s')), 30_000);
    api.rpc.proofOfSync
      .subscribeRounds((info) => {
        clearTimeout(timer);
        resolve(info);
      })
      .then((u) => {
        unsubscribe = u;
      })
      .catch(reject);
  });
  unsubscribe?.();
  const now = await round();
  assert.ok(first.index.toNumber() <= now.index.toNumber());
  assert.equal(first.length.toNumber(), 10);
});

test('over three rounds Alice attests on her own, and her points and rewards grow', async () => {
  // Round 3 is running once rounds 0, 1 and 2 have closed.
  const notified = [];
  const unsubscribe = await api.rpc.proofOfSync.subscribeRounds((info) => notified.push(info.index.toNumber()));
  const pendingAt = {};
  await waitFor(
    'round 3',
    async () => {
      const { index } = await round();
      const i = index.toNumber();
      if (pendingAt[i] === undefined) {
        pendingAt[i] = (await api.rpc.proofOfSync.pendingRewards(alice.address)).length;
      }
      return i >= 3;
    },
    { timeoutMs: 300_000, intervalMs: 2_000 },
  );
  unsubscribe();
  // The subscription told of each new round.
  for (const r of [1, 2, 3]) assert.ok(notified.includes(r), `notified of round ${r}: ${notified}`);

  for (const r of [1, 2]) {
    const score = (await api.rpc.proofOfSync.scoreBreakdown(alice.address, r)).unwrap();
    assert.ok(score.closed.isTrue, `round ${r} closed`);
    assert.ok(score.answered.toNumber() >= 1, `answered in round ${r}`);
    assert.ok(score.answered.toNumber() * 1000 <= score.expectedChallengesMilli.toNumber());
    assert.ok(score.points.toBigInt() > 0n, `points in round ${r}`);
    assert.equal(score.share.toNumber(), 1_000_000_000, 'the only provider has the whole share');
    assert.ok(score.reward.isSome && score.reward.unwrap().toBigInt() > 0n, `a reward for round ${r}`);

    const board = await api.rpc.proofOfSync.leaderboard(r);
    assert.equal(board[0].account.toString(), alice.address);
    assert.equal(board[0].points.toBigInt(), score.points.toBigInt());
  }

  // Her pending rewards grew as rounds closed.
  const pending = await api.rpc.proofOfSync.pendingRewards(alice.address);
  const rounds = pending.map((p) => p.round.toNumber());
  assert.ok(rounds.includes(1) && rounds.includes(2), `pending rounds ${rounds}`);
  const counts = Object.keys(pendingAt).sort((a, b) => a - b).map((k) => pendingAt[k]);
  assert.ok(counts.at(-1) > counts[0], `pending rewards grew: ${JSON.stringify(pendingAt)}`);

  // The attestations are authorized transactions her node submitted: find them in blocks. Every
  // block but a round's first carries her block VRF (the `noteBlockVrf` inherent her node adds
  // as author), and the randomness it makes differs block to block.
  const head = (await api.rpc.chain.getHeader()).number.toNumber();
  let attested = 0;
  let vrfs = 0;
  for (let n = 1; n <= head; n += 1) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const events = await api.query.system.events.at(hash);
    for (const { event } of events) {
      // Every event decodes to a known pallet and variant.
      assert.ok(event.section && event.method, `block ${n}: an undecoded event`);
      if (api.events.syncAttestation.Attested.is(event)) {
        assert.equal(event.data.provider.toString(), alice.address);
        attested += 1;
      }
    }
    const block = await api.rpc.chain.getBlock(hash);
    for (const xt of block.block.extrinsics) {
      assert.ok(xt.method.section, `block ${n}: an undecoded extrinsic`);
      if (xt.method.section === 'syncAttestation' && xt.method.method === 'noteBlockVrf') vrfs += 1;
    }
  }
  assert.ok(attested >= 3, `Alice's attestations landed: ${attested}`);
  assert.equal(vrfs, head, `a block VRF in every block: ${vrfs} of ${head}`);
  const latest = await api.rpc.chain.getBlockHash(head);
  const [r1, r2] = await Promise.all([
    api.query.syncAttestation.randomness.at(latest, head - 1),
    api.query.syncAttestation.randomness.at(latest, head - 2),
  ]);
  assert.ok(r1.isSome && r2.isSome && r1.unwrap().toHex() !== r2.unwrap().toHex());
});

test('claim_rewards pays Alice her reward for a closed round', async () => {
  const [first] = await api.rpc.proofOfSync.pendingRewards(alice.address);
  assert.ok(first, 'a pending reward');
  const round = first.round.toNumber();
  const events = await submitInBlock(api.tx.rewards.claimRewards(round), alice);
  const paid = events.find(({ event }) => api.events.rewards.RewardPaid.is(event));
  assert.ok(paid, 'RewardPaid emitted');
  assert.equal(paid.event.data.who.toString(), alice.address);
  assert.equal(paid.event.data.round.toNumber(), round);
  assert.equal(paid.event.data.amount.toBigInt(), first.amount.toBigInt());
  // The pot paid it: a transfer event from the pot to Alice.
  assert.ok(
    events.some(
      ({ event }) =>
        api.events.balances.Transfer.is(event) &&
        event.data.to.toString() === alice.address &&
        event.data.amount.toBigInt() === first.amount.toBigInt(),
    ),
  );
  const after = await api.rpc.proofOfSync.pendingRewards(alice.address);
  assert.ok(!after.some((p) => p.round.toNumber() === round), 'no longer pending');
  const score = (await api.rpc.proofOfSync.scoreBreakdown(alice.address, round)).unwrap();
  assert.ok(score.claimed.isTrue);
  // A second claim is refused.
  await assert.rejects(submitInBlock(api.tx.rewards.claimRewards(round), alice), /dispatch error/);
});
