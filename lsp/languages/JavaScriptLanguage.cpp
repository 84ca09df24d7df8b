// JavaScriptLanguage: classes and functions of JavaScript and TypeScript files.
//
// V8 names an object by its constructor and keys classes by script, so the
// qualified name of a declaration is its plain name (the script is the
// document itself). Functions include `function f(`, `f = function`, and
// arrow functions bound to a name; closures are what those evaluate to.
//
// Threading: stateless.
#include <regex>

#include "lsp/languages/Languages.h"

namespace heaplens::lsp {
namespace {

class JavaScriptLanguage final : public Language {
public:
  std::string_view id() const override { return "javascript"; }
  bool handles(std::string_view languageId, std::string_view path) const override {
    for (std::string_view id : {"javascript", "typescript", "javascriptreact", "typescriptreact"})
      if (languageId == id) return true;
    for (std::string_view ext : {".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".jsx", ".tsx"})
      if (path.ends_with(ext)) return true;
    return false;
  }
  std::vector<SourceDeclaration> declarations(std::string_view text) const override {
    static const std::regex classRe(R"(^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*))");
    static const std::regex funcRe(R"(^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*))");
    static const std::regex boundRe(
        R"(^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::[^=]+)?=>|[A-Za-z_$][\w$]*\s*=>))");
    // A named function expression anywhere on a line (`bus.on('tick', function onTick(ev) {`): V8 names
    // its closures by it.
    static const std::regex namedExprRe(R"(\bfunction\s*\*?\s+([A-Za-z_$][\w$]*)\s*\()");
    std::vector<SourceDeclaration> out;
    auto lines = splitSourceLines(text);
    for (uint32_t i = 0; i < lines.size(); ++i) {
      std::string line(lines[i]);
      std::smatch m;
      if (std::regex_search(line, m, classRe))
        out.push_back({SourceDeclaration::Kind::Type, m[1].str(), m[1].str(), i, i});
      else if (std::regex_search(line, m, funcRe))
        out.push_back({SourceDeclaration::Kind::Function, m[1].str(), m[1].str(), i, i});
      else if (std::regex_search(line, m, boundRe))
        out.push_back({SourceDeclaration::Kind::Closure, m[1].str(), m[1].str(), i, i});
      else if (std::regex_search(line, m, namedExprRe))
        out.push_back({SourceDeclaration::Kind::Closure, m[1].str(), m[1].str(), i, i});
    }
    return out;
  }
};

}  // namespace

const Language& javaScriptLanguage() {
  static const JavaScriptLanguage instance;
  return instance;
}

}  // namespace heaplens::lsp
