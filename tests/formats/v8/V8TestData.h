// V8TestData: the real Node 20 snapshots of shared/fixtures/js, stored zstd-compressed in
// tests/data/js, decompressed once per test binary; and a writer of tiny snapshots.
//
// Threading: test-only, single thread.
#pragma once

#include <zstd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/Dump.h"
#include "analysis/formats/v8/V8Format.h"

namespace heaplens::v8::testing {

inline std::vector<uint8_t> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// tests/data/js/<name>.heapsnapshot.zst, decompressed (cached).
inline const std::vector<uint8_t>& snapshotBytes(const std::string& name) {
  static std::map<std::string, std::vector<uint8_t>> cache;
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  const std::vector<uint8_t> packed = readAll(std::string(HEAPLENS_TEST_DATA) + "/js/" + name + ".heapsnapshot.zst");
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) throw std::runtime_error("bad zstd frame: " + name);
  std::vector<uint8_t> out(size);
  const size_t got = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
  if (ZSTD_isError(got) || got != size) throw std::runtime_error("cannot decompress " + name);
  return cache.emplace(name, std::move(out)).first->second;
}

inline std::span<const uint8_t> asBytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Loads bytes and runs the shared analysis, as loadDump() does for a file.
inline std::unique_ptr<Dump> load(std::span<const uint8_t> bytes) {
  auto d = loadSnapshot(bytes, {});
  finishDump(*d);
  return d;
}

// A tiny snapshot in V8's layout: root -> (GC roots) -> a Foo object -> a string; Foo has a
// location; one weak edge. Fields as Node 20 writes them.
inline std::string tinySnapshot() {
  return R"({"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],)"
         R"("node_types":[["hidden","array","string","object","code","closure","regexp","number","native","synthetic",)"
         R"("concatenated string","sliced string","symbol","bigint","object shape","wasm object"],"string","number","number","number","number","number"],)"
         R"("edge_fields":["type","name_or_index","to_node"],)"
         R"("edge_types":[["context","element","property","internal","hidden","shortcut","weak"],"string_or_number","node"],)"
         R"("trace_function_info_fields":["function_id","name","script_name","script_id","line","column"],)"
         R"("trace_node_fields":["id","function_info_index","count","size","children"],)"
         R"("sample_fields":["timestamp_us","last_assigned_id"],"location_fields":["object_index","script_id","line","column"]},)"
         R"("node_count":5,"edge_count":5,"trace_function_count":0},)"
         "\n\"nodes\":[9,0,1,0,2,0,0\n,9,1,3,0,1,0,0\n,3,2,61,56,2,0,0\n,2,3,63,32,0,0,0\n,3,4,65,24,0,0,0],\n"
         "\"edges\":[1,1,7\n,5,2,14\n,1,0,14\n,2,5,21\n,6,6,28],\n"
         "\"trace_function_infos\":[],\n\"trace_tree\":[],\n\"samples\":[],\n\"locations\":[14,7,4,2],\n"
         R"J("strings":["<dummy>","(GC roots)","Foo","payload-\u00e9","Bar","name","cache"]})J";
}

}  // namespace heaplens::v8::testing
