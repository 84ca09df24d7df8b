// LspTypes: the LSP 3.17 structures HeapLens speaks, each with its JSON mapping beside it.
//
// Only the fields HeapLens reads or writes are modelled. from_json throws
// ParamsError (Message.h) with the JSON path and what was expected, so the
// dispatcher can answer -32602 with a useful message.
//
// Threading: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace heaplens::protocol {

struct Position {
  uint32_t line = 0;       // zero-based
  uint32_t character = 0;  // zero-based, UTF-16 code units
  bool operator==(const Position&) const = default;
};

struct Range {
  Position start;
  Position end;
  bool operator==(const Range&) const = default;
};

struct Location {
  std::string uri;
  Range range;
};

struct TextDocumentIdentifier {
  std::string uri;
};

struct TextDocumentPositionParams {
  TextDocumentIdentifier textDocument;
  Position position;
};

struct Command {
  std::string title;
  std::string command;
  nlohmann::json arguments = nlohmann::json::array();
};

struct CodeLens {
  Range range;
  std::optional<Command> command;
  nlohmann::json data;  // null when absent
};

enum class DiagnosticSeverity : int { Error = 1, Warning = 2, Information = 3, Hint = 4 };

struct DiagnosticRelatedInformation {
  Location location;
  std::string message;
};

struct Diagnostic {
  Range range;
  DiagnosticSeverity severity = DiagnosticSeverity::Information;
  std::string code;
  std::string source = "heaplens";
  std::string message;
  std::vector<DiagnosticRelatedInformation> relatedInformation;
};

struct MarkupContent {
  std::string kind = "markdown";  // "markdown" or "plaintext"
  std::string value;
};

struct Hover {
  MarkupContent contents;
  std::optional<Range> range;
};

// textDocument/documentSymbol: the outline, as a tree.
struct DocumentSymbol {
  std::string name;
  std::string detail;
  int kind = 3;  // SymbolKind: 3 Namespace, 5 Class, 8 Field, 13 Variable, 23 Struct, 24 Event
  Range range;
  Range selectionRange;
  std::vector<DocumentSymbol> children;
};

// textDocument/foldingRange.
struct FoldingRange {
  uint32_t startLine = 0;  // zero-based
  uint32_t endLine = 0;    // zero-based, inclusive
  std::string kind = "region";
};

void to_json(nlohmann::json& j, const DocumentSymbol& s);
void to_json(nlohmann::json& j, const FoldingRange& f);
void to_json(nlohmann::json& j, const Position& p);
void from_json(const nlohmann::json& j, Position& p);
void to_json(nlohmann::json& j, const Range& r);
void from_json(const nlohmann::json& j, Range& r);
void to_json(nlohmann::json& j, const Location& l);
void to_json(nlohmann::json& j, const Command& c);
void from_json(const nlohmann::json& j, Command& c);
void to_json(nlohmann::json& j, const CodeLens& c);
void from_json(const nlohmann::json& j, CodeLens& c);
void to_json(nlohmann::json& j, const DiagnosticRelatedInformation& r);
void to_json(nlohmann::json& j, const Diagnostic& d);
void to_json(nlohmann::json& j, const MarkupContent& m);
void to_json(nlohmann::json& j, const Hover& h);
void from_json(const nlohmann::json& j, TextDocumentIdentifier& t);
void from_json(const nlohmann::json& j, TextDocumentPositionParams& p);

}  // namespace heaplens::protocol
