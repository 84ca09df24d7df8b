// LspTypes: JSON mappings of the LSP structures (see LspTypes.h).
//
// from_json reports the path relative to the value it was given; callers one
// level up add their key through getAs(), so paths compose without each
// reader knowing where it sits.
#include "protocol/LspTypes.h"

#include "protocol/Message.h"

namespace heaplens::protocol {

void to_json(json& j, const Position& p) { j = json{{"line", p.line}, {"character", p.character}}; }

void from_json(const json& j, Position& p) {
  p.line = getUInt32(j, "line");
  p.character = getUInt32(j, "character");
}

void to_json(json& j, const Range& r) { j = json{{"start", r.start}, {"end", r.end}}; }

void from_json(const json& j, Range& r) {
  r.start = getAs<Position>(j, "start");
  r.end = getAs<Position>(j, "end");
}

void to_json(json& j, const Location& l) { j = json{{"uri", l.uri}, {"range", l.range}}; }

void to_json(json& j, const Command& c) {
  j = json{{"title", c.title}, {"command", c.command}};
  if (!c.arguments.is_null() && !(c.arguments.is_array() && c.arguments.empty())) j["arguments"] = c.arguments;
}

void from_json(const json& j, Command& c) {
  c.title = getString(j, "title");
  c.command = getString(j, "command");
  const json* args = optArray(j, "arguments");
  c.arguments = args ? *args : json::array();
}

void to_json(json& j, const CodeLens& c) {
  j = json{{"range", c.range}};
  if (c.command) j["command"] = *c.command;
  if (!c.data.is_null()) j["data"] = c.data;
}

void from_json(const json& j, CodeLens& c) {
  c.range = getAs<Range>(j, "range");
  if (optObject(j, "command")) c.command = getAs<Command>(j, "command");
  auto it = j.find("data");
  c.data = it == j.end() ? json() : *it;
}

void to_json(json& j, const DiagnosticRelatedInformation& r) {
  j = json{{"location", r.location}, {"message", r.message}};
}

void to_json(json& j, const Diagnostic& d) {
  j = json{{"range", d.range}, {"severity", static_cast<int>(d.severity)}, {"source", d.source}, {"message", d.message}};
  if (!d.code.empty()) j["code"] = d.code;
  if (!d.relatedInformation.empty()) j["relatedInformation"] = d.relatedInformation;
}

void to_json(json& j, const MarkupContent& m) { j = json{{"kind", m.kind}, {"value", m.value}}; }

void to_json(json& j, const Hover& h) {
  j = json{{"contents", h.contents}};
  if (h.range) j["range"] = *h.range;
}

void from_json(const json& j, TextDocumentIdentifier& t) { t.uri = getString(j, "uri"); }

void from_json(const json& j, TextDocumentPositionParams& p) {
  p.textDocument = getAs<TextDocumentIdentifier>(j, "textDocument");
  p.position = getAs<Position>(j, "position");
}

void to_json(json& j, const DocumentSymbol& s) {
  j = json{{"name", s.name}, {"kind", s.kind}, {"range", s.range}, {"selectionRange", s.selectionRange}};
  if (!s.detail.empty()) j["detail"] = s.detail;
  if (!s.children.empty()) j["children"] = s.children;
}

void to_json(json& j, const FoldingRange& f) {
  j = json{{"startLine", f.startLine}, {"endLine", f.endLine}, {"kind", f.kind}};
}

}  // namespace heaplens::protocol
