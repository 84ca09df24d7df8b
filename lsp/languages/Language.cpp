// Language: the registry of source languages and what they share.
//
// Threading: the languages are immutable singletons.
#include "lsp/languages/Language.h"

#include <array>

#include "lsp/languages/Languages.h"

namespace heaplens::lsp {

std::vector<std::string_view> splitSourceLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == text.size()) break;
    start = end + 1;
  }
  return lines;
}

std::vector<SourceDeclaration> Language::declarationsAt(std::string_view text, uint32_t line0) const {
  std::vector<SourceDeclaration> out;
  for (SourceDeclaration& d : declarations(text))
    if (d.firstLine == line0) out.push_back(std::move(d));
  return out;
}

namespace {
const std::array<const Language*, 4>& languages() {
  static const std::array<const Language*, 4> all = {&goLanguage(), &rakuLanguage(), &javaScriptLanguage(),
                                                     &plainTextLanguage()};
  return all;
}
}  // namespace

const Language& languageFor(std::string_view languageId, std::string_view path) {
  for (const Language* l : languages())
    if (l->handles(languageId, path)) return *l;
  return plainTextLanguage();
}

std::vector<std::string> servedLanguageIds() {
  return {"go", "raku", "perl6", "javascript", "typescript", "javascriptreact", "typescriptreact"};
}

}  // namespace heaplens::lsp
