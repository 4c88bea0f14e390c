import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/config/duration.ts';
import { parseSize } from '../../src/config/size.ts';

suite('parseDuration: text → milliseconds', () => {
  const table: readonly (readonly [string, number | null])[] = [
    ['500ms', 500],
    ['30s', 30_000],
    ['1.5s', 1_500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['0s', 0],
    ['0.4ms', 0],
    ['1.1s', 1_100],
    ['90', null],
    ['ninety', null],
    ['30 s', null],
    [' 30s', null],
    ['-1s', null],
    ['1m30s', 90_000],
    ['1h30m', 5_400_000],
    ['1h2m3s4ms', 3_723_004],
    ['2s500ms', 2_500],
    ['1.5m30s', 120_000],
    ['30s1m', null],
    ['1m1m', null],
    ['1m 30s', null],
    ['1m30', null],
    ['ms', null],
    ['h', null],
    ['.5s', null],
    ['30S', null],
    ['1d', null],
    ['', null],
  ];
  for (const [text, ms] of table) {
    test(JSON.stringify(text), () => assert.equal(parseDuration(text), ms));
  }
});

test('formatDuration picks the largest exact unit', () => {
  assert.deepEqual(
    [20_000, 600_000, 7_200_000, 1_500, 90_000, 0].map(formatDuration),
    ['20s', '10m', '2h', '1500ms', '90s', '0ms'],
  );
});

suite('parseSize: value → bytes', () => {
  const table: readonly (readonly [unknown, number | null])[] = [
    [1024, 1024],
    [0, 0],
    ['1MiB', 1_048_576],
    ['64KiB', 65_536],
    ['1.5KiB', 1_536],
    ['2GiB', 2_147_483_648],
    ['100B', 100],
    ['1kB', 1_000],
    ['1MB', 1_000_000],
    ['1024', null],
    ['1 MiB', null],
    ['1mib', null],
    [1.5, null],
    [true, null],
    [null, null],
  ];
  for (const [value, bytes] of table) {
    test(JSON.stringify(value), () => assert.equal(parseSize(value), bytes));
  }
});
