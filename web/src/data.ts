// data: the shape of the JSON that `heaplens report --html` (lsp/PageDumpHtml.cpp) embeds in the page.
//
// Occupancies are percents (0-100), one per page in file order; lines are 1-based lines of the dump file.

export interface PageClassData {
  name: string;          // as written in the file: "16", "nextFitPages"
  kind: string;          // "fixedBlock", "nextFit", "singleObject", "extraObject", "other"
  meaning: string;
  line: number;
  occ: number[];         // percent per page
  full: number;
  empty: number;
  partial: number;
  meanOccupancy: number; // 0..1
  compactedPages: number;
}

export interface PageMapData {
  line: number;
  time: string | null;
  heapBytes: number | null;
  pages: number;
  full: number;
  empty: number;
  partial: number;
  meanOccupancy: number;
  fragmentation: number;
  pagesNeeded: number;
  pagesSaved: number;
  bytesSaved: number;
  classes: PageClassData[];
}

export interface GcData {
  label: string;               // "GC 3"
  index: string;               // as written
  sample: number | null;       // index into the timeline
  sampleLine: number | null;
  match: string;               // "exact", "nearest", "marker", "none"
  before: PageMapData | null;
  after: PageMapData | null;
  pagesReleased: number | null;
  occupancyChangePoints: number | null;
  heapDrop: number | null;
}

export interface TimelineData {
  t: number[];                 // numeric time per sample (µs, sample number, or other units)
  b: number[];                 // heap bytes per sample
  firstLine: number;           // line of sample 0 when `lines` is absent (samples on consecutive lines)
  lines?: number[];
  labels?: string[];           // the times as written, when they are not numbers
  unit: string;                // "µs", "sample", ""
}

export interface PageDumpData {
  title: string;
  description: string;
  fieldOrder: string | null;
  pageBytes: number;
  facts: [string, string][];
  warnings: string[];
  timeline: TimelineData;
  gcs: GcData[];
  errors: { line: number; message: string }[];
  errorCount: number;
}
