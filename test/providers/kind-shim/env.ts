/**
 * Puts the recorded shims (shim.ts) first on PATH for this test process, with their state, log
 * and the flatnet state in a fresh folder. `local`: `kind create cluster` starts a real flatnet
 * local cluster; otherwise the shims answer from their own state (command sequences only).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ShimCall {
  tool: string;
  argv: string[];
  stdin?: string;
}

export function useKindShims(name: string, backend: 'local' | 'fake'): { root: string; calls: () => ShimCall[] } {
  const root = mkdtempSync(join(tmpdir(), `flatnet-${name}-`));
  const log = join(root, 'log.jsonl');
  process.env.PATH = `${fileURLToPath(new URL('.', import.meta.url))}:${process.env.PATH}`;
  process.env.KIND_SHIM_STATE = join(root, 'shim');
  process.env.KIND_SHIM_LOG = log;
  process.env.FLATNET_STATE_DIR = join(root, 'state');
  if (backend === 'local') {
    process.env.KIND_SHIM_BACKEND = 'local';
    process.env.KIND_SHIM_FLATNET_STATE = join(root, 'flatnet');
  } else delete process.env.KIND_SHIM_BACKEND;
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as ShimCall) : []);
  return { root, calls };
}
