// WorkspaceDeclarations: names placed on their one declaration in the workspace.
#include "lsp/WorkspaceDeclarations.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lsp/languages/Language.h"

namespace heaplens::lsp {
namespace {

bool isWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$';
}

// Whether `text` holds `word` with no word character on either side.
bool containsWord(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool before = at == 0 || !isWordChar(text[at - 1]);
    const bool after = at + word.size() == text.size() || !isWordChar(text[at + word.size()]);
    if (before && after) return true;
  }
  return false;
}

// The last part of a qualified name ("Shop::Item" -> "Item", "example.com/app/cart.Item" -> "Item").
std::string_view lastPart(std::string_view name) {
  size_t cut = name.find_last_of(".:/");
  return cut == std::string_view::npos ? name : name.substr(cut + 1);
}

}  // namespace

bool isDeclarableName(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  if (!isWordChar(name.front()) || (name.front() >= '0' && name.front() <= '9')) return false;
  for (char c : name)
    if (!isWordChar(c) && c != '.' && c != ':' && c != '/') return false;
  return true;
}

WorkspaceDeclarations WorkspaceDeclarations::find(const std::vector<std::string>& files,
                                                  const std::vector<std::string>& languages,
                                                  const std::set<std::string>& names,
                                                  const DeclarationSearchLimits& limits) {
  WorkspaceDeclarations out;
  std::vector<std::string> wanted;
  for (const std::string& n : names)
    if (isDeclarableName(n)) wanted.push_back(n);
  if (wanted.empty()) return out;
  for (const std::string& path : files) {
    if (out.filesRead_ >= limits.maxFiles) break;
    const Language& language = languageFor("", path);
    if (std::find(languages.begin(), languages.end(), std::string(language.id())) == languages.end()) continue;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec || size > limits.maxFileBytes) continue;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    ++out.filesRead_;
    std::vector<const std::string*> here;
    for (const std::string& n : wanted)
      if (containsWord(text, lastPart(n))) here.push_back(&n);
    if (here.empty()) continue;
    for (const SourceDeclaration& decl : language.declarations(text))
      for (const std::string* n : here)
        if (decl.qualifiedName == *n || decl.name == *n)
          out.places_[*n].push_back({path, decl.firstLine + 1});
  }
  return out;
}

std::optional<DeclarationPlace> WorkspaceDeclarations::unique(std::string_view name) const {
  auto it = places_.find(std::string(name));
  if (it == places_.end() || it->second.size() != 1) return std::nullopt;
  return it->second.front();
}

size_t WorkspaceDeclarations::count(std::string_view name) const {
  auto it = places_.find(std::string(name));
  return it == places_.end() ? 0 : it->second.size();
}

}  // namespace heaplens::lsp
