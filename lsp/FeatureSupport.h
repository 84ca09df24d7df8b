// FeatureSupport: what hover, code lens, diagnostics and retainers have in common.
//
// Naming a node the way a user reads it ("64 B object (main.go:53)",
// "<unit> leaky.raku:1 (Frame)"), turning a retention path into text and
// into editor locations, finding the annotated lines of a document, and
// recognising declarations (Go `func`, Raku routines and classes) in its text.
//
// Threading: pure functions, called on worker threads.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/Paths.h"
#include "lsp/Features.h"

namespace heaplens::lsp {

// The annotated lines of `doc` in one loaded dump.
struct DocumentLines {
  const LoadedDump* dump = nullptr;
  std::shared_ptr<const LineIndex> sources;  // keeps `lines` alive
  const std::vector<LineEntry>* lines = nullptr;
};
std::vector<DocumentLines> linesForDocument(const FeatureContext& ctx, const Document& doc);

// Entries on a 1-based line, across dumps.
struct LineHit {
  const LoadedDump* dump;
  const LineEntry* entry;
};
std::vector<LineHit> entriesAt(const std::vector<DocumentLines>& docLines, uint32_t line1);

// The dump's display name: the file name of its path.
std::string dumpName(const Dump& d);
// A recorded path as people read it: the workspace file as a markdown link ("[main.go:53](file:///…#L53)")
// when the source map knows it; otherwise a short readable form of the recorded path — from the package
// path on for runtime and module-cache files ("runtime/map.go:378"), as recorded for the rest.
std::string locationLink(std::string_view recordedFile, uint32_t line, const SourceMap* sourceMap);
std::string readablePath(std::string_view recordedFile);
// "main.go:53" for a location (file name only), "" when unknown.
std::string shortLocation(const HeapGraph& g, const SourceLocation& loc);
// The location a node is attributed to: its frame's own location, or the innermost workspace frame
// of its allocation site (any non-runtime frame when the source map knows none).
std::optional<SourceLocation> nodeLocation(const HeapGraph& g, NodeId n, const SourceMap* sourceMap);
// The function a frame location names, "<anon>" when it names none (a Raku block).
std::string frameName(const HeapGraph& g, const SourceLocation& loc);
// "64 B object (main.go:53)", "Array", "<unit> leaky.raku:1 (Frame)", "goroutine 18 frame main.holder".
std::string describeNode(const HeapGraph& g, NodeId n, const SourceMap* sourceMap);
// "bss --[+0x1a0]--> 458,752 B object (main.go:55) → 64 B object (main.go:53)".
std::string pathText(const HeapGraph& g, const RetentionPath& path, const SourceMap* sourceMap);
// The editor location of a path step, when its node has a source line in the workspace.
std::optional<protocol::Location> stepLocation(const HeapGraph& g, NodeId n, const SourceMap* sourceMap);

// "10,000 live objects, 640,000 B (625 KiB) allocated here — 21% of the live heap".
std::string entrySummary(const Dump& d, const HeapIndex* index, const LineEntry& entry);
// The type a declaration of `name` in `docPath` stands for, by name: of the dump's types of that name,
// the one the dump says is declared in this file; none when all of them are declared in other
// workspace files (the compiled .js of a .ts class, or another class of the same name); else the first
// of that name (the dump records no declaration, or one outside the workspace).
TypeId typeForDeclaration(const LoadedDump& loaded, std::string_view name, const std::string& docPath,
                          const SourceMap* sourceMap);
// A Creation entry's root holders: "1 goroutine blocked in chan receive", "3 × goroutine (runnable)".
std::string createdText(const Dump& d, const LineEntry& e);
// bytes / live heap; 0 without a heap index.
double shareOfHeap(const HeapIndex* index, uint64_t bytes);
inline double shareOfHeap(const HeapIndex& index, uint64_t bytes) { return shareOfHeap(&index, bytes); }

// The one-line summary a finished load is announced with (window/showMessage):
// "heaplens: loaded app.heapdump (Go heap dump): 21,247 objects, 4.1 MiB; most at main.go:53 (640 KiB, 21%)".
std::string loadedMessage(const LoadedDump& loaded);

}  // namespace heaplens::lsp
