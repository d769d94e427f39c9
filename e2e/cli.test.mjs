// The node's subcommands, as an operator runs them.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

import { NODE_BIN } from './lib/node.mjs';

const run = promisify(execFile);
const node = (...args) => run(NODE_BIN, args, { maxBuffer: 64 * 1024 * 1024 });

test('export-chain-spec writes the dev and local specs with DSYNC/12/42 properties', async () => {
  for (const [chain, id, type] of [
    ['dev', 'proof_of_sync_dev', 'Development'],
    ['local', 'proof_of_sync_local', 'Local'],
  ]) {
    const { stdout } = await node('export-chain-spec', '--chain', chain);
    const spec = JSON.parse(stdout);
    assert.equal(spec.id, id);
    assert.equal(spec.chainType, type);
    assert.deepEqual(spec.properties, { ss58Format: 42, tokenDecimals: 12, tokenSymbol: 'DSYNC' });
    assert.ok(spec.genesis.runtimeGenesis.code.startsWith('0x'), 'genesis carries the runtime');
  }
  const { stdout } = await node('export-chain-spec', '--chain', 'dev', '--raw');
  assert.ok(JSON.parse(stdout).genesis.raw.top, 'raw spec has genesis storage');
});

test('key inspect derives the well-known dev account', async () => {
  const { stdout } = await node('key', 'inspect', '//Alice', '--output-type', 'json');
  assert.equal(JSON.parse(stdout).ss58Address, '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
});

test('benchmark pallet lists the runtime benchmarks', async () => {
  const { stdout } = await node('benchmark', 'pallet', '--list', '--chain', 'dev');
  for (const pallet of ['frame_system', 'pallet_balances', 'pallet_timestamp', 'pallet_sudo']) {
    assert.match(stdout, new RegExp(`^${pallet}, `, 'm'), `${pallet} missing from:\n${stdout}`);
  }
});

test('purge-chain removes a database the node created', async () => {
  const base = mkdtempSync(join(tmpdir(), 'proof-of-sync-purge-'));
  try {
    // export-blocks opens (and so creates) the dev database, then exits.
    await node('export-blocks', '--chain', 'dev', '--base-path', base, '--to', '0', join(base, 'blocks.json'));
    const { stdout, stderr } = await node('purge-chain', '--chain', 'dev', '--base-path', base, '-y');
    assert.match(stdout + stderr, /removed/i);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
