// lttb.test: the timeline's downsampling keeps every GC sample, both ends, and about the target count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = await esbuild.build({ entryPoints: [join(root, 'src/lttb.ts')], bundle: true, format: 'esm', write: false });
const { lttb, lttbKeep } = await import(`data:text/javascript;base64,${Buffer.from(built.outputFiles[0].text).toString('base64')}`);

function series(n) {
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let i = 0; i < n; ++i) { xs[i] = i; ys[i] = Math.sin(i / 50) * 1000 + (i % 97) * 3 + (i % 1000 === 0 ? 5000 : 0); }
  return { xs, ys };
}

test('a million samples come down to the target, ascending, ends kept', () => {
  const { xs, ys } = series(1_000_000);
  const out = lttb(xs, ys, 0, xs.length - 1, 2000);
  assert.equal(out.length, 2000);
  assert.equal(out[0], 0);
  assert.equal(out[out.length - 1], xs.length - 1);
  for (let i = 1; i < out.length; ++i) assert.ok(out[i] > out[i - 1]);
});

test('every GC sample is kept, and the count stays near the target', () => {
  const { xs, ys } = series(100_000);
  const keep = [5, 17, 50_000, 50_001, 99_998, 12_345];
  const out = lttbKeep(xs, ys, 0, xs.length - 1, 1500, keep);
  for (const k of keep) assert.ok(out.includes(k), `sample ${k} kept`);
  assert.ok(out.length <= 1500 + 2 * keep.length + 2, `${out.length} points`);
  for (let i = 1; i < out.length; ++i) assert.ok(out[i] > out[i - 1]);
});

test('a window keeps only its own GC samples, and short series are kept whole', () => {
  const { xs, ys } = series(1000);
  const out = lttbKeep(xs, ys, 100, 199, 3000, [50, 150, 500]);
  assert.deepEqual(out, Array.from({ length: 100 }, (_, i) => 100 + i));
  assert.deepEqual(lttbKeep(xs, ys, 7, 7, 10, [7]), [7]);
});

test('the peak of a spike survives downsampling', () => {
  const { xs, ys } = series(200_000);
  ys[123_457] = 1e9;
  const out = lttb(xs, ys, 0, xs.length - 1, 500);
  assert.ok(out.includes(123_457));
});
