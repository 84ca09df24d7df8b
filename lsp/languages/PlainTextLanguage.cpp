// PlainTextLanguage: any other document (a text dump file, a README): no declarations.
//
// Threading: stateless.
#include "lsp/languages/Languages.h"

namespace heaplens::lsp {
namespace {

class PlainTextLanguage final : public Language {
public:
  std::string_view id() const override { return "plaintext"; }
  bool handles(std::string_view, std::string_view) const override { return true; }
  std::vector<SourceDeclaration> declarations(std::string_view) const override { return {}; }
};

}  // namespace

const Language& plainTextLanguage() {
  static const PlainTextLanguage instance;
  return instance;
}

}  // namespace heaplens::lsp
