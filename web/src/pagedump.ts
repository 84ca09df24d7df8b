// pagedump: the page of a Kotlin/Native allocator page dump (heaplens report --html, the VS Code webview).
//
// It reads the JSON that lsp/PageDumpHtml.cpp embeds in a
// <script type="application/json" id="heaplens-data"> block and draws, with
// Chart.js: the heap timeline with GC markers (LTTB-downsampled to a few
// thousand points, GC samples always kept, re-sampled for the range chosen
// with the sliders), a table of GCs, and for the selected GC its before and
// after page heat maps (one cell per page, white to red by occupancy, click
// for the page's details), the grids a perfect compaction would leave, and a
// per-class bar chart. It works under a strict Content-Security-Policy: no
// inline handlers, no eval, no style attributes in markup (styles go through
// the CSSOM), and nothing is fetched.
//
// For tests, each chart's canvas carries data-* attributes with what was
// drawn (data-points, data-cells), and body[data-ready] is set when done.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement,
  PointElement, ScatterController, Tooltip,
} from 'chart.js';
import type { ActiveElement, ChartEvent, TooltipItem } from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import type { GcData, PageDumpData, PageMapData } from './data';
import { lttbKeep } from './lttb';

Chart.register(LineController, LineElement, PointElement, ScatterController, BarController, BarElement,
  CategoryScale, LinearScale, Tooltip, Legend, MatrixController, MatrixElement);
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", sans-serif';

const TIMELINE_POINTS = 2000;

// ---- formatting ----
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
function fmtCount(n: number): string { return integer.format(n); }
function fmtBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Math.abs(n), u = 0;
  while (v >= 1023.5 && u < units.length - 1) { v /= 1024; ++u; }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${n < 0 ? '-' : ''}${Number(v.toFixed(digits))} ${units[u]}`;
}
function fmtSignedBytes(n: number): string { return n > 0 ? `+${fmtBytes(n)}` : fmtBytes(n); }
function fmtPercent(f: number): string {
  const p = f * 100;
  return `${Number(p.toFixed(Math.abs(p) >= 10 ? 0 : 1))}%`;
}
function fmtPoints(p: number): string { return `${p > 0 ? '+' : ''}${p.toFixed(1)} pts`; }

// White (empty) to red (full), as MemDumpView draws pages.
function occupancyColour(percent: number): string {
  const f = Math.max(0, Math.min(1, percent / 100));
  const r = Math.round(255 - (255 - 200) * f), g = Math.round(255 - (255 - 30) * f), b = Math.round(255 - (255 - 30) * f);
  return `rgb(${r},${g},${b})`;
}

// ---- DOM helpers (textContent only: nothing from the file is parsed as HTML) ----
function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function card(parent: HTMLElement, title: string): HTMLElement {
  const c = el('section', 'card');
  c.appendChild(el('h2', undefined, title));
  parent.appendChild(c);
  return c;
}
function dl(parent: HTMLElement, rows: [string, string][]): void {
  const list = el('dl', 'facts');
  for (const [k, v] of rows) { list.appendChild(el('dt', undefined, k)); list.appendChild(el('dd', undefined, v)); }
  parent.appendChild(list);
}

// ---- the page ----
class PageDumpView {
  private readonly data: PageDumpData;
  private readonly xs: Float64Array;
  private readonly gcSamples: number[];
  private timeline?: Chart;
  private gcCharts: Chart[] = [];
  private selected = -1;
  private readonly rows: HTMLTableRowElement[] = [];
  private readonly detail: HTMLElement;
  private readonly info: HTMLElement;

  constructor(root: HTMLElement, data: PageDumpData) {
    this.data = data;
    const tl = data.timeline;
    this.xs = new Float64Array(tl.b.length);
    const t0 = tl.t.length ? tl.t[0] : 0;
    for (let i = 0; i < tl.b.length; ++i) {
      this.xs[i] = tl.unit === 'µs' ? (tl.t[i] - t0) / 1e6 : tl.labels ? i + 1 : tl.t[i];
    }
    this.gcSamples = data.gcs.map((g) => g.sample).filter((s): s is number => s !== null).sort((a, b) => a - b);

    const header = el('header');
    header.appendChild(el('h1', undefined, data.title));
    header.appendChild(el('p', 'muted', data.description));
    dl(header, data.facts);
    for (const w of data.warnings) header.appendChild(el('p', 'warning', w));
    root.appendChild(header);

    this.buildTimeline(root);
    this.buildGcTable(root);
    this.detail = card(root, 'GC');
    this.detail.id = 'gc-detail';
    this.info = el('div', 'page-info');
    this.info.id = 'page-info';
    this.buildProblems(root);

    const first = data.gcs.findIndex((g) => g.before && g.after);
    if (data.gcs.length) this.select(first >= 0 ? first : 0);
    else this.detail.appendChild(el('p', 'muted', 'The file has no GC page dumps.'));
  }

  // -- timeline --
  private xLabel(): string {
    const u = this.data.timeline.unit;
    if (u === 'µs') return 'seconds since the first sample';
    if (u === 'sample' || this.data.timeline.labels) return 'sample';
    return 'time (as in the file)';
  }

  private buildTimeline(root: HTMLElement): void {
    const c = card(root, `Heap timeline (${fmtCount(this.data.timeline.b.length)} samples)`);
    const tl = this.data.timeline;
    if (tl.b.length === 0) { c.appendChild(el('p', 'muted', 'The file has no heap samples.')); return; }
    const box = el('div', 'chart timeline');
    const canvas = el('canvas');
    canvas.id = 'timeline';
    box.appendChild(canvas);
    c.appendChild(box);

    const controls = el('div', 'controls');
    const from = el('input');
    const to = el('input');
    for (const [input, value, label] of [[from, '0', 'from'], [to, '1000', 'to']] as const) {
      input.type = 'range'; input.min = '0'; input.max = '1000'; input.value = value;
      input.setAttribute('aria-label', `timeline ${label}`);
      const l = el('label', undefined, `${label} `);
      l.appendChild(input);
      controls.appendChild(l);
    }
    const reset = el('button', undefined, 'Whole timeline');
    const status = el('span', 'muted');
    controls.appendChild(reset);
    controls.appendChild(status);
    c.appendChild(controls);

    const n = tl.b.length;
    this.timeline = new Chart(canvas, {
      type: 'line',
      data: { datasets: [
        { label: 'heap bytes', data: [], borderColor: '#2563eb', borderWidth: 1.25, pointRadius: 0, parsing: false,
          normalized: true, order: 2 },
        { type: 'scatter', label: 'GC', data: [], backgroundColor: '#dc2626', borderColor: '#7f1d1d',
          pointStyle: 'triangle', pointRadius: 6, pointHoverRadius: 8, parsing: false, order: 1 },
      ] },
      options: {
        responsive: true, maintainAspectRatio: false, interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: { type: 'linear', title: { display: true, text: this.xLabel() } },
          y: { type: 'linear', title: { display: true, text: 'heap' }, ticks: { callback: (v) => fmtBytes(Number(v)) } },
        },
        plugins: {
          legend: { display: true },
          tooltip: { callbacks: { label: (item: TooltipItem<'line'>) => this.sampleTooltip(item) } },
        },
        onClick: (_e: ChartEvent, active: ActiveElement[]) => {
          const gcHit = active.find((a) => a.datasetIndex === 1);
          if (gcHit) {
            const p = (this.timeline!.data.datasets[1].data[gcHit.index] as unknown as { gc: number });
            this.select(p.gc, true);
          }
        },
      },
    });
    const redraw = () => {
      let a = Math.floor(Number(from.value) / 1000 * (n - 1));
      let b = Math.ceil(Number(to.value) / 1000 * (n - 1));
      if (b < a) [a, b] = [b, a];
      const drawn = this.drawTimeline(a, b);
      status.textContent = `showing samples ${fmtCount(a + 1)}–${fmtCount(b + 1)}: ${fmtCount(drawn)} points drawn`;
    };
    let pending = 0;
    const schedule = () => { if (!pending) pending = requestAnimationFrame(() => { pending = 0; redraw(); }); };
    from.addEventListener('input', schedule);
    to.addEventListener('input', schedule);
    reset.addEventListener('click', () => { from.value = '0'; to.value = '1000'; redraw(); });
    redraw();
  }

  private sampleTooltip(item: TooltipItem<'line'>): string {
    const raw = item.raw as { i: number; gc?: number };
    const tl = this.data.timeline;
    const i = raw.i;
    const line = tl.lines ? tl.lines[i] : tl.firstLine + i;
    const time = tl.labels ? tl.labels[i] : String(tl.t[i]);
    const gc = raw.gc !== undefined ? `${this.data.gcs[raw.gc].label}: ` : '';
    return `${gc}${fmtBytes(tl.b[i])} at ${time} (line ${fmtCount(line)})`;
  }

  // Draws samples a..b; returns the number of points drawn.
  private drawTimeline(a: number, b: number): number {
    const tl = this.data.timeline;
    const keep = this.gcSamples.filter((s) => s >= a && s <= b);
    const idx = lttbKeep(this.xs, tl.b, a, b, TIMELINE_POINTS, keep);
    const chart = this.timeline!;
    chart.data.datasets[0].data = idx.map((i) => ({ x: this.xs[i], y: tl.b[i], i })) as never;
    const markers: { x: number; y: number; i: number; gc: number }[] = [];
    this.data.gcs.forEach((g, gi) => {
      if (g.sample !== null && g.sample >= a && g.sample <= b)
        markers.push({ x: this.xs[g.sample], y: tl.b[g.sample], i: g.sample, gc: gi });
    });
    chart.data.datasets[1].data = markers as never;
    chart.options.scales!.x!.min = this.xs[a];
    chart.options.scales!.x!.max = this.xs[b];
    chart.update();
    chart.canvas.dataset.points = String(idx.length);
    chart.canvas.dataset.markers = String(markers.length);
    return idx.length;
  }

  // -- GC table --
  private buildGcTable(root: HTMLElement): void {
    const c = card(root, `GCs (${fmtCount(this.data.gcs.length)})`);
    if (!this.data.gcs.length) return;
    const wrap = el('div', 'table-wrap');
    const table = el('table', 'gcs');
    const head = el('tr');
    for (const h of ['GC', 'line', 'sample line', 'pages before → after', 'released', 'occupancy before → after',
      'change', 'heap drop'])
      head.appendChild(el('th', undefined, h));
    const thead = el('thead');
    thead.appendChild(head);
    table.appendChild(thead);
    const body = el('tbody');
    this.data.gcs.forEach((g, i) => {
      const r = el('tr');
      const cells = [
        g.label,
        fmtCount((g.before ?? g.after)!.line),
        g.sampleLine !== null ? fmtCount(g.sampleLine) : '–',
        `${g.before ? fmtCount(g.before.pages) : '–'} → ${g.after ? fmtCount(g.after.pages) : '–'}`,
        g.pagesReleased !== null ? fmtCount(g.pagesReleased) : '–',
        `${g.before ? fmtPercent(g.before.meanOccupancy) : '–'} → ${g.after ? fmtPercent(g.after.meanOccupancy) : '–'}`,
        g.occupancyChangePoints !== null ? fmtPoints(g.occupancyChangePoints) : '–',
        g.heapDrop !== null ? fmtSignedBytes(g.heapDrop) : '–',
      ];
      cells.forEach((text, k) => r.appendChild(el('td', k > 0 ? 'num' : undefined, text)));
      r.tabIndex = 0;
      r.addEventListener('click', () => this.select(i));
      r.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') this.select(i); });
      body.appendChild(r);
      this.rows.push(r);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    c.appendChild(wrap);
  }

  // -- one GC --
  select(i: number, scroll = false): void {
    if (i < 0 || i >= this.data.gcs.length) return;
    if (this.selected >= 0 && this.rows[this.selected]) this.rows[this.selected].classList.remove('selected');
    this.selected = i;
    this.rows[i]?.classList.add('selected');
    for (const chart of this.gcCharts) chart.destroy();
    this.gcCharts = [];
    const g = this.data.gcs[i];
    const d = this.detail;
    d.replaceChildren(el('h2', undefined, g.label));
    d.dataset.gc = String(i);

    const facts: [string, string][] = [];
    if (g.before && g.after) {
      facts.push(['pages', `${fmtCount(g.before.pages)} → ${fmtCount(g.after.pages)} (${fmtCount(g.pagesReleased ?? 0)} released)`]);
      facts.push(['mean occupancy', `${fmtPercent(g.before.meanOccupancy)} → ${fmtPercent(g.after.meanOccupancy)} (${fmtPoints(g.occupancyChangePoints ?? 0)})`]);
    }
    for (const [name, m] of [['before', g.before], ['after', g.after]] as const) {
      if (!m) continue;
      facts.push([`${name}: tokens`, `${fmtCount(m.full)} full (+), ${fmtCount(m.empty)} empty (-), ${fmtCount(m.partial)} partial`]);
      facts.push([`${name}: fragmentation`, fmtPercent(m.fragmentation)]);
      facts.push([`${name}: perfect compaction`, `${fmtCount(m.pagesNeeded)} pages needed, ${fmtCount(m.pagesSaved)} saved (${fmtBytes(m.bytesSaved)})`]);
    }
    if (g.heapDrop !== null) facts.push(['heap drop', fmtSignedBytes(g.heapDrop)]);
    if (g.sample !== null) {
      const tl = this.data.timeline;
      const time = tl.labels ? tl.labels[g.sample] : String(tl.t[g.sample]);
      facts.push(['tied to sample', `line ${fmtCount(g.sampleLine ?? 0)}, time ${time}, ${fmtBytes(tl.b[g.sample])} (${g.match})`]);
    } else {
      facts.push(['tied to sample', 'none']);
    }
    dl(d, facts);
    if (scroll) d.scrollIntoView({ block: 'start' });

    const grids = el('div', 'grids');
    d.appendChild(grids);
    for (const [name, m] of [['before', g.before], ['after', g.after]] as const) {
      const col = el('div', 'grid-column');
      grids.appendChild(col);
      if (!m) { col.appendChild(el('p', 'muted', `no ${name}-GC dump`)); continue; }
      col.appendChild(el('h3', undefined, `${name} GC ${g.index}: ${fmtCount(m.pages)} pages`));
      this.heatMap(col, m, name, false);
      col.appendChild(el('h3', undefined, `simulated perfect compaction: ${fmtCount(m.pagesNeeded)} pages`));
      this.heatMap(col, m, name, true);
    }
    d.appendChild(this.info);
    this.info.replaceChildren(el('p', 'muted', 'Click a page for its details.'));
    const bars = el('div', 'chart bars');
    const canvas = el('canvas');
    canvas.id = 'class-bars';
    bars.appendChild(canvas);
    d.appendChild(el('h3', undefined, 'Pages per class'));
    d.appendChild(bars);
    this.classBars(canvas, g);
  }

  // One cell per page (or per page a perfect compaction keeps), in class order, the first page of each
  // class outlined.
  private heatMap(parent: HTMLElement, m: PageMapData, when: string, compacted: boolean): void {
    type Cell = { x: number; y: number; v: number; c: number; p: number; first: boolean };
    const cells: Cell[] = [];
    const occ: { v: number; c: number; p: number }[] = [];
    m.classes.forEach((cls, ci) => {
      if (!compacted) {
        cls.occ.forEach((v, p) => occ.push({ v, c: ci, p }));
      } else if (cls.kind === 'singleObject') {
        cls.occ.filter((v) => v > 0).sort((a, b) => b - a).forEach((v, p) => occ.push({ v, c: ci, p }));
      } else {
        let left = cls.occ.reduce((s, v) => s + v, 0);
        for (let p = 0; p < cls.compactedPages; ++p) {
          const v = Math.min(100, left);
          occ.push({ v: Math.max(0, v), c: ci, p });
          left -= v;
        }
      }
    });
    const n = occ.length;
    const cols = Math.max(1, Math.min(n, Math.max(8, Math.ceil(Math.sqrt(n * 2.5)))));
    const rows = Math.max(1, Math.ceil(n / cols));
    occ.forEach((o, k) => cells.push({ x: k % cols, y: Math.floor(k / cols), v: o.v, c: o.c, p: o.p, first: o.p === 0 }));

    const box = el('div', 'chart heatmap');
    const width = Math.max(200, parent.clientWidth || 480);
    const cell = Math.max(3, Math.min(24, Math.floor((width - 4) / cols)));
    box.style.width = `${cols * cell + 4}px`;
    box.style.height = `${rows * cell + 4}px`;
    const canvas = el('canvas');
    canvas.className = `heat ${when}${compacted ? ' compacted' : ''}`;
    box.appendChild(canvas);
    parent.appendChild(box);
    if (n === 0) {
      canvas.dataset.cells = '0';
      canvas.dataset.pages = '0';
      return;
    }
    // Plain arrays and numbers rather than functions: Chart.js resolves scriptable options per element,
    // which for tens of thousands of pages is most of the drawing time.
    const gap = cell >= 6 ? 1 : 0;
    const chart = new Chart(canvas, {
      type: 'matrix',
      data: { datasets: [{
        label: when,
        data: cells,
        parsing: false,
        normalized: true,
        backgroundColor: cells.map((c) => occupancyColour(c.v)),
        borderColor: cells.map((c) => (c.first ? '#1e3a8a' : '#a1a1aa')),
        borderWidth: cells.map((c) => (c.first ? 1.5 : gap ? 0.5 : 0)),
        width: cell - gap,
        height: cell - gap,
      }] },
      options: {
        responsive: true, maintainAspectRatio: false,
        layout: { padding: 2 },
        scales: {
          x: { type: 'linear', min: -0.5, max: cols - 0.5, display: false, offset: false },
          y: { type: 'linear', min: -0.5, max: rows - 0.5, reverse: true, display: false, offset: false },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: () => '', label: (item) => {
            const c = item.raw as Cell;
            return `${m.classes[c.c].name} page ${c.p + 1}: ${c.v}%`;
          } } },
        },
        // The cell under the pointer, from the grid's geometry (not from hover state, which a click
        // arriving right after the pointer moves may not have yet).
        onClick: (e: ChartEvent, _active: ActiveElement[], c: Chart) => {
          const area = c.chartArea;
          if (e.x === null || e.y === null || !area) return;
          const col = Math.floor((e.x - area.left) / (area.width / cols));
          const row = Math.floor((e.y - area.top) / (area.height / rows));
          const k = row * cols + col;
          if (col < 0 || col >= cols || row < 0 || k >= cells.length) return;
          const hit = cells[k];
          this.showPage(m, hit.c, hit.p, hit.v, when, compacted);
        },
      },
    });
    canvas.dataset.cells = String(chart.getDatasetMeta(0).data.length);
    canvas.dataset.cellPx = String(cell);
    canvas.dataset.pages = String(compacted ? m.pagesNeeded : m.pages);
    this.gcCharts.push(chart);
  }

  private showPage(m: PageMapData, ci: number, p: number, v: number, when: string, compacted: boolean): void {
    const g = this.data.gcs[this.selected];
    const cls = m.classes[ci];
    const rows: [string, string][] = [
      ['page', `${cls.name} #${p + 1} of ${fmtCount(compacted ? cls.compactedPages : cls.occ.length)}${compacted ? ' (simulated compaction)' : ''}`],
      ['class', `${cls.meaning} (${cls.kind})`],
      ['occupancy', `${v}%`],
      ['dump', `${when} ${g.label}, class line ${fmtCount(cls.line)}`],
    ];
    if (!compacted) rows.push(['page size', fmtBytes(this.data.pageBytes)]);
    this.info.replaceChildren(el('h3', undefined, 'Page info'));
    dl(this.info, rows);
  }

  private classBars(canvas: HTMLCanvasElement, g: GcData): void {
    const names: string[] = [];
    const seen = new Map<string, number>();
    const add = (m: PageMapData | null) => m?.classes.forEach((c) => { if (!seen.has(c.name)) { seen.set(c.name, names.length); names.push(c.name); } });
    add(g.before);
    add(g.after);
    const pages = (m: PageMapData | null) => names.map((n) => m?.classes.find((c) => c.name === n)?.occ.length ?? 0);
    const colours = (m: PageMapData | null) => names.map((n) => {
      const c = m?.classes.find((x) => x.name === n);
      return occupancyColour(c ? c.meanOccupancy * 100 : 0);
    });
    const before = pages(g.before), after = pages(g.after);
    const chart = new Chart(canvas, {
      type: 'bar',
      data: { labels: names, datasets: [
        { label: 'before', data: before, backgroundColor: colours(g.before), borderColor: '#1e3a8a', borderWidth: 1 },
        { label: 'after', data: after, backgroundColor: colours(g.after), borderColor: '#065f46', borderWidth: 2 },
        { label: 'change', data: names.map((_, k) => after[k] - before[k]), backgroundColor: '#a1a1aa' },
      ] },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { y: { title: { display: true, text: 'pages (bars coloured by mean occupancy)' } } },
        plugins: { legend: { display: true } },
      },
    });
    canvas.dataset.bars = String(names.length);
    this.gcCharts.push(chart);
  }

  // -- problems --
  private buildProblems(root: HTMLElement): void {
    const errors = this.data.errors;
    if (!errors.length) return;
    const c = card(root, `Malformed lines (${fmtCount(this.data.errorCount)})`);
    const list = el('ul', 'problems');
    for (const e of errors) list.appendChild(el('li', undefined, `line ${fmtCount(e.line)}: ${e.message}`));
    c.appendChild(list);
    if (this.data.errorCount > errors.length)
      c.appendChild(el('p', 'muted', `${fmtCount(this.data.errorCount - errors.length)} more; see heaplens report.`));
  }
}

function main(): void {
  const source = document.getElementById('heaplens-data');
  const root = document.getElementById('app');
  if (!source || !root) throw new Error('heaplens: the page has no data block or #app element');
  const data = JSON.parse(source.textContent ?? '{}') as PageDumpData;
  new PageDumpView(root, data);
  document.body.dataset.ready = '1';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
