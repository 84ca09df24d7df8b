// Uri: file:// URIs to local paths and back.
//
// Editors name documents and workspace folders by URI; the analysis side
// works with paths. Only the file scheme maps to a path; other schemes map to
// nothing and the features treat such documents as outside the workspace.
//
// Threading: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace heaplens::lsp {

// "file:///home/a%20b/x.go" -> "/home/a b/x.go"; nullopt for other schemes or malformed escapes.
std::optional<std::string> uriToPath(std::string_view uri);
// "/home/a b/x.go" -> "file:///home/a%20b/x.go"
std::string pathToUri(std::string_view path);

}  // namespace heaplens::lsp
