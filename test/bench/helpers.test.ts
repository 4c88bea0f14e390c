import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkName, targetYaml } from './lib/config.ts';
import { createFloorPlus } from './lib/floor-plus.ts';
import { startReferenceBackend } from '../../src/reference/index.ts';
import { byFamily, familyOf, seriesLines } from './lib/serve.ts';
import { latencyErrorsMs } from './lib/stamps.ts';
import { bytes, max, median, ms, quantile, ratio } from './lib/stats.ts';
import { markdownTable, plainTable, type Row } from './lib/table.ts';
import { loadConfig, tempFiles } from '../support/config.ts';

const ROW: Row = { figure: 'a | b', canary: '8.10 ms', reference: 'floor 5.00 ms', ratio: '1.62×', goal: '≤ 1.3× floor', met: 'no' };

describe('benchmark helpers', () => {
  it('median takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('quantile takes the nearest rank and max the largest', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(quantile(values, 0.99), 99);
    assert.equal(quantile(values, 0.5), 50);
    assert.equal(max(values), 100);
  });

  it('formats milliseconds, bytes and ratios', () => {
    assert.deepEqual([ms(0.4213), ms(8.14), ms(131.4), ms(1240)], ['0.42 ms', '8.14 ms', '131 ms', '1.24 s']);
    assert.deepEqual([bytes(512), bytes(2048), bytes(2.7 * 1024 * 1024)], ['512 B', '2.0 KiB', '2.70 MiB']);
    assert.deepEqual([ratio(8.1, 5), ratio(1, 0)], ['1.62×', '—']);
  });

  it('prints the table as Markdown with pipes escaped, and aligned as plain text', () => {
    assert.equal(
      markdownTable([ROW]),
      ['| figure | canary | floor or peer | ratio | goal | met |', '| --- | --- | --- | --- | --- | --- |', '| a \\| b | 8.10 ms | floor 5.00 ms | 1.62× | ≤ 1.3× floor | no |'].join('\n'),
    );
    assert.equal(
      plainTable([ROW]),
      ['figure  canary   floor or peer  ratio  goal          met', 'a | b   8.10 ms  floor 5.00 ms  1.62×  ≤ 1.3× floor  no'].join('\n'),
    );
  });

  it('takes an event latency error as the reported latency minus the backend stamps', () => {
    const errors = latencyErrorsMs([
      { name: 'agent_started', reportedMs: 5.5, text: '{"type":"agent_started","data":{"timestamp":1000.0045,"run_id":"r"}}' },
      { name: 'agent_completed', reportedMs: 11, text: '{"type":"agent_completed","data":{"execution_time_ms":9.75,"timestamp":1000.01}}' },
    ]);
    assert.deepEqual(
      errors.map((e) => Math.round(e * 1000) / 1000),
      [1.25, 1.25],
    );
    assert.deepEqual(latencyErrorsMs([{ name: 'agent_started', reportedMs: 5, text: '{"timestamp":1}' }]), []);
  });

  it('counts series by family, histograms as one', () => {
    const lines = seriesLines(
      ['# HELP x_seconds x', 'x_seconds_bucket{le="1",check="c"} 1', 'x_seconds_sum{check="c"} 1', 'x_seconds_count{check="c"} 1', 'runs_total{check="c"} 2', ''].join('\n'),
    );
    assert.equal(familyOf('x_seconds_bucket{le="1"} 1'), 'x_seconds');
    assert.deepEqual(byFamily(lines), [
      ['x_seconds', 3],
      ['runs_total', 1],
    ]);
  });

  it('writes a target file the canary loads, with its checks named in order', async (t) => {
    const dir = await tempFiles(t, { 'bench.yaml': targetYaml({ url: 'ws://127.0.0.1:1/ws', checks: 3, every: '1s' }) });
    const config = await loadConfig(join(dir, 'bench.yaml'), {});
    assert.deepEqual(
      config.targets[0]?.checks.map((c) => [c.name, c.type]),
      [
        [checkName(0), 'golden_path'],
        ['golden_path_002', 'golden_path'],
        ['golden_path_003', 'golden_path'],
      ],
    );
  });

  it('runs the floor plus the libraries through the reference backend, a token it accepts each run', async (t) => {
    const backend = await startReferenceBackend();
    t.after(() => backend.close());
    const run = await createFloorPlus(`ws://127.0.0.1:${backend.port}/ws`);
    for (let i = 0; i < 2; i++) {
      const exchange = await run();
      const types = exchange.frames.map((frame) => (JSON.parse(frame.text) as { type?: unknown }).type);
      assert.deepEqual(
        types.filter((type) => type !== 'ping'),
        ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'],
      );
    }
  });
});
