// TestWorkspace: a workspace in a fresh temporary directory holding a copy of one source file,
// at another path than the dump records, for the feature tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "analysis/SourceMap.h"
#include "lsp/Features.h"
#include "lsp/Uri.h"

namespace heaplens::lsp::test {

inline std::string readFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct TestWorkspace {
  std::filesystem::path root;
  Document doc;
  SourceMap sourceMap;
  TestWorkspace(const std::filesystem::path& source, const std::string& relative, const std::string& languageId) {
    namespace fs = std::filesystem;
    root = fs::temp_directory_path() / ("heaplens-ws-" + std::to_string(::getpid()) + "-" + languageId);
    fs::remove_all(root);
    fs::create_directories((root / relative).parent_path());
    fs::copy_file(source, root / relative);
    doc.path = (root / relative).string();
    doc.uri = pathToUri(doc.path);
    doc.languageId = languageId;
    doc.text = readFile(source);
    sourceMap.setWorkspaceRoots({root.string()});
  }
  ~TestWorkspace() { std::filesystem::remove_all(root); }
};

}  // namespace heaplens::lsp::test
