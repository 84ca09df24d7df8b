// Language: what the editor features need to know about a source language, behind one interface.
//
// Features ask a Language for the declarations on a line (a class, a type, a
// function, a closure), with the name a dump would give them (qualified: a
// Raku `class Item` inside `unit module Shop` is `Shop::Item` in a MoarVM
// snapshot; a Go type is named by its package path), and for the functions
// of a document with their line ranges. One file per language under
// lsp/languages/; languageFor() picks by LSP language id or file extension.
// No feature tests a format name or a language's syntax itself.
//
// Threading: stateless singletons; pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace heaplens::lsp {

struct SourceDeclaration {
  enum class Kind : uint8_t { Type, Function, Closure };
  Kind kind = Kind::Function;
  std::string name;           // as written ("Item", "fillCache")
  std::string qualifiedName;  // as a dump names it ("Shop::Item", "example.com/app/cart.Item")
  uint32_t firstLine = 0;     // 0-based, inclusive
  uint32_t lastLine = 0;      // 0-based, inclusive (== firstLine when the end is unknown)
};

class Language {
public:
  virtual ~Language() = default;
  virtual std::string_view id() const = 0;  // "go", "raku", "javascript", "plaintext"
  // True for an LSP languageId or a path this language owns.
  virtual bool handles(std::string_view languageId, std::string_view path) const = 0;
  // Every declaration of the document, in line order.
  virtual std::vector<SourceDeclaration> declarations(std::string_view text) const = 0;
  // Declarations that start on a 0-based line.
  std::vector<SourceDeclaration> declarationsAt(std::string_view text, uint32_t line0) const;
};

// The language of a document; plain text when no other claims it.
const Language& languageFor(std::string_view languageId, std::string_view path);
// The LSP language ids the server serves (for the document selector).
std::vector<std::string> servedLanguageIds();

// Shared by the languages: a document's lines without terminators.
std::vector<std::string_view> splitSourceLines(std::string_view text);

}  // namespace heaplens::lsp
