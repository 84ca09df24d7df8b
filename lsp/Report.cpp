// Report: placeholder until the analyses land (see Report.h).
#include "lsp/Report.h"

namespace heaplens::lsp {
nlohmann::json reportJson(const Dump& dump, const ReportOptions&) { return {{"path", dump.path}}; }
std::string reportText(const Dump& dump, const ReportOptions&) { return dump.path + "\n"; }
}  // namespace heaplens::lsp
