// PageDumpHtml: one self-contained HTML page for a dump's heap timeline and page maps.
//
// What `heaplens report FILE --html OUT` writes, and what a VS Code webview
// shows: the heap timeline with GC markers, a table of GCs, per GC the page
// heat maps before and after, the grids a perfect compaction would leave, and
// a per-class bar chart (web/src/pagedump.ts draws them with Chart.js). The
// page fetches nothing: the script (web/bundle/pagedump.js, embedded at build
// time), the stylesheet and the data (a JSON block) are all inline. It
// carries its own Content-Security-Policy, `default-src 'none'` with the
// script and style allowed only by a nonce, and the script uses no inline
// handlers and no eval, so a webview can show it as it is, under its nonce.
//
// Threading: pure functions over an immutable Dump.
#pragma once

#include <ostream>
#include <string>

#include "analysis/Dump.h"

namespace heaplens::lsp {

struct HtmlOptions {
  // The nonce of the page's <script> and <style>; empty: a random one. A webview passes its own.
  std::string nonce;
  // Extra CSP source for a webview host (VS Code's `webview.cspSource`), added to style-src and img-src.
  std::string cspSource;
  size_t maxErrors = 1000;  // malformed lines listed on the page (all are counted)
};

// True when the dump has something the page shows (a heap timeline or page maps).
bool hasPageDumpView(const Dump& dump);

// Writes the page. The data block is streamed, so a million samples do not make a second copy.
void writePageDumpHtml(std::ostream& out, const Dump& dump, const HtmlOptions& options = {});
std::string pageDumpHtml(const Dump& dump, const HtmlOptions& options = {});

}  // namespace heaplens::lsp
