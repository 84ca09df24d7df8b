// RakuLanguage: Raku classes, roles, grammars and routines, with the package nesting a snapshot uses.
//
// MoarVM names a type by its full package path: `class Item` declared after
// `unit module Shop;` is `Shop::Item`, and so is `class Item` inside a
// `module Shop { ... }` block; a name that already has `::` is taken as
// written. Blocks are tracked by brace depth, which is enough for the
// declarations people write at the top of a file or a module block.
//
// Threading: stateless.
#include <regex>

#include "lsp/languages/Languages.h"

namespace heaplens::lsp {
namespace {

class RakuLanguage final : public Language {
public:
  std::string_view id() const override { return "raku"; }
  bool handles(std::string_view languageId, std::string_view path) const override {
    if (languageId == "raku" || languageId == "perl6") return true;
    for (std::string_view ext : {".raku", ".rakumod", ".rakutest", ".pm6", ".p6", ".pl6"})
      if (path.ends_with(ext)) return true;
    return false;
  }
  std::vector<SourceDeclaration> declarations(std::string_view text) const override {
    static const std::regex unitRe(R"(^\s*unit\s+(?:module|package|class|role|grammar)\s+([A-Za-z_][\w:'-]*))");
    static const std::regex blockRe(R"(^\s*(?:my\s+|our\s+)?(module|package)\s+([A-Za-z_][\w:'-]*)\s*\{)");
    static const std::regex typeRe(R"(^\s*(?:(?:my|our)\s+)?(class|role|grammar)\s+([A-Za-z_][\w:'-]*))");
    static const std::regex subRe(R"(^\s*(?:(?:my|our|multi|proto)\s+)*(?:sub|method|submethod)\s+([A-Za-z_][\w'-]*))");
    std::vector<SourceDeclaration> out;
    std::string unitPrefix;
    struct Open {
      std::string name;
      int depth;  // brace depth inside the block
    };
    std::vector<Open> packages;  // enclosing module/package/class blocks
    int depth = 0;
    auto lines = splitSourceLines(text);
    for (uint32_t i = 0; i < lines.size(); ++i) {
      std::string line(lines[i]);
      std::smatch m;
      std::string prefix = unitPrefix;
      for (const Open& o : packages) prefix += o.name + "::";
      if (std::regex_search(line, m, unitRe)) {
        const std::string name = m[1].str();
        const bool isType = line.find("module") == std::string::npos && line.find("package") == std::string::npos;
        if (isType) out.push_back({SourceDeclaration::Kind::Type, name, qualify(prefix, name), i, i});
        unitPrefix = qualify(prefix, name) + "::";
      } else if (std::regex_search(line, m, blockRe)) {
        packages.push_back({m[2].str(), depth + 1});
      } else if (std::regex_search(line, m, typeRe)) {
        const std::string name = m[2].str();
        out.push_back({SourceDeclaration::Kind::Type, name, qualify(prefix, name), i, i});
        if (line.find('{') != std::string::npos && line.find('}') == std::string::npos)
          packages.push_back({name, depth + 1});
      } else if (std::regex_search(line, m, subRe)) {
        out.push_back({SourceDeclaration::Kind::Function, m[1].str(), m[1].str(), i, i});
      }
      for (char c : line) {
        if (c == '{') ++depth;
        if (c == '}') {
          --depth;
          while (!packages.empty() && depth < packages.back().depth) packages.pop_back();
        }
      }
    }
    return out;
  }

private:
  static std::string qualify(const std::string& prefix, const std::string& name) {
    return name.find("::") != std::string::npos ? name : prefix + name;
  }
};

}  // namespace

const Language& rakuLanguage() {
  static const RakuLanguage instance;
  return instance;
}

}  // namespace heaplens::lsp
