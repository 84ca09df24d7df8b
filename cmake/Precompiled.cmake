# heaplens_precompile(<target> [JSON] [GTEST]): precompiled headers for a target's translation units.
#
# For the targets with many files that include the same big headers: nlohmann/json.hpp alone takes
# 2.2 CPU seconds per file at -O3, gtest/gtest.h 1.6 s, the standard library headers below about 1 s
# (g++ 12). The target builds the header once (gcc: 5 to 9 CPU seconds with all three) and every file
# starts from it: lsp/Hover.cpp took 6.2 CPU seconds instead of 7.9, lsp/Report.cpp 12.1 instead of
# 14.4. Targets of a few files are better off without (the header costs more than it saves).
# HEAPLENS_PCH=OFF turns it off (for a build that checks each file includes what it uses).
option(HEAPLENS_PCH "Precompile the headers most files include (standard library, nlohmann/json, GoogleTest)" ON)

set(HEAPLENS_PCH_STD
  <algorithm> <cstddef> <cstdint> <cstring> <filesystem> <fstream> <functional> <map> <memory>
  <mutex> <optional> <set> <sstream> <string> <string_view> <unordered_map> <utility> <vector>)

function(heaplens_precompile target)
  if(NOT HEAPLENS_PCH)
    return()
  endif()
  cmake_parse_arguments(arg "JSON;GTEST" "" "" ${ARGN})
  set(headers ${HEAPLENS_PCH_STD})
  if(arg_JSON)
    list(APPEND headers <nlohmann/json.hpp>)
  endif()
  if(arg_GTEST)
    list(APPEND headers <gtest/gtest.h>)
  endif()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
