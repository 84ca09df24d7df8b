// lttb: Largest-Triangle-Three-Buckets downsampling that always keeps chosen points (the GC samples).
//
// Steinarsson, "Downsampling Time Series for Visual Representation" (2013). The
// series is cut at every point that must stay; each piece gets a share of the
// target proportional to its length and is downsampled on its own, so its two
// ends (the kept points) are always in the output.

// Indices of the points to draw, ascending, from [lo, hi] of (xs, ys).
export function lttbKeep(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, hi: number,
                         target: number, keep: number[]): number[] {
  if (hi < lo) return [];
  const cuts = Array.from(new Set([lo, ...keep.filter((k) => k > lo && k < hi), hi])).sort((a, b) => a - b);
  if (cuts.length === 1) return [lo];
  const total = hi - lo + 1;
  const out: number[] = [];
  for (let s = 0; s + 1 < cuts.length; ++s) {
    const a = cuts[s], b = cuts[s + 1];
    const share = Math.max(2, Math.round(target * (b - a + 1) / total));
    for (const i of lttb(xs, ys, a, b, share)) if (out.length === 0 || out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

// Plain LTTB over [lo, hi]: first and last points always kept, `threshold` points in all.
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, lo: number, hi: number,
                     threshold: number): number[] {
  const n = hi - lo + 1;
  if (threshold >= n || threshold < 3) {
    if (threshold >= n) return Array.from({ length: n }, (_, i) => lo + i);
    return n === 1 ? [lo] : [lo, hi];
  }
  const out = [lo];
  const every = (n - 2) / (threshold - 2);
  let a = lo;
  for (let i = 0; i < threshold - 2; ++i) {
    // The average of the next bucket is the third corner.
    let avgStart = lo + Math.floor((i + 1) * every) + 1;
    let avgEnd = lo + Math.floor((i + 2) * every) + 1;
    if (avgEnd > hi + 1) avgEnd = hi + 1;
    if (avgStart >= avgEnd) avgStart = avgEnd - 1;
    let avgX = 0, avgY = 0;
    for (let j = avgStart; j < avgEnd; ++j) { avgX += xs[j]; avgY += ys[j]; }
    const len = avgEnd - avgStart;
    avgX /= len; avgY /= len;
    const start = lo + Math.floor(i * every) + 1;
    const end = lo + Math.floor((i + 1) * every) + 1;
    const ax = xs[a], ay = ys[a];
    let best = start, bestArea = -1;
    for (let j = start; j < end && j <= hi; ++j) {
      const area = Math.abs((ax - avgX) * (ys[j] - ay) - (ax - xs[j]) * (avgY - ay));
      if (area > bestArea) { bestArea = area; best = j; }
    }
    out.push(best);
    a = best;
  }
  out.push(hi);
  return out;
}
