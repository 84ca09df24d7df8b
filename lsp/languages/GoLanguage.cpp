// GoLanguage: Go functions, methods and types, named as a Go heap dump names them.
//
// A dump names a function by its package path ("main.fillCache",
// "example.com/app/cart.(*Cart).Add") and a type likewise; the package path
// comes from the `package` clause and, when the file sits under a go.mod
// module, from the module path and directory, which this reader cannot see
// from the text alone, so the qualified name uses the package name
// ("cart.Item") and features match on the final components.
//
// Threading: stateless.
#include <regex>

#include "lsp/languages/Languages.h"

namespace heaplens::lsp {
namespace {

class GoLanguage final : public Language {
public:
  std::string_view id() const override { return "go"; }
  bool handles(std::string_view languageId, std::string_view path) const override {
    return languageId == "go" || path.ends_with(".go");
  }
  std::vector<SourceDeclaration> declarations(std::string_view text) const override {
    static const std::regex funcRe(R"(^func\s*(\([^)]*\)\s*)?([A-Za-z_][A-Za-z0-9_]*))");
    static const std::regex typeRe(R"(^type\s+([A-Za-z_][A-Za-z0-9_]*))");
    static const std::regex packageRe(R"(^package\s+([A-Za-z_][A-Za-z0-9_]*))");
    std::vector<SourceDeclaration> out;
    auto lines = splitSourceLines(text);
    std::string package;
    for (uint32_t i = 0; i < lines.size(); ++i) {
      std::string line(lines[i]);
      std::smatch m;
      if (package.empty() && std::regex_search(line, m, packageRe)) package = m[1].str();
      if (std::regex_search(line, m, typeRe)) {
        SourceDeclaration d{SourceDeclaration::Kind::Type, m[1].str(), qualify(package, m[1].str()), i, i};
        out.push_back(std::move(d));
        continue;
      }
      if (!std::regex_search(line, m, funcRe)) continue;
      SourceDeclaration d{SourceDeclaration::Kind::Function, m[2].str(), qualify(package, m[2].str()), i, i};
      // A one-line function ends on its own line; otherwise at the first `}` in column 0.
      const bool oneLine = line.find('{') != std::string::npos && line.rfind('}') != std::string::npos &&
                           line.rfind('}') > line.find('{');
      if (!oneLine) {
        for (uint32_t j = i + 1; j < lines.size(); ++j) {
          d.lastLine = j;
          if (!lines[j].empty() && lines[j][0] == '}') break;
        }
      }
      out.push_back(std::move(d));
    }
    return out;
  }

private:
  static std::string qualify(const std::string& package, const std::string& name) {
    return package.empty() ? name : package + "." + name;
  }
};

}  // namespace

const Language& goLanguage() {
  static const GoLanguage instance;
  return instance;
}

}  // namespace heaplens::lsp
