// RegistryTests: loadDump() on paths that are not dumps: what it refuses, how fast, and what it says.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>

#include <gtest/gtest.h>

#include "analysis/formats/DumpFormat.h"

namespace fs = std::filesystem;
using namespace heaplens;

namespace {

class RegistryTests : public ::testing::Test {
protected:
  void SetUp() override {
    char tmpl[] = "/tmp/heaplens-registry-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // The LoadError message of loadDump(path), or "" when it loaded.
  static std::string loadError(const std::string& path) {
    try {
      loadDump(path, {}, TaskContext());
    } catch (const LoadError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(RegistryTests, DirectoryIsRefusedAsADirectoryNotAsAnEmptyFile) {
  std::string message = loadError(dir_.string());
  EXPECT_NE(message.find(dir_.string() + ": is a directory; expected a regular file holding a heap dump"),
            std::string::npos)
      << message;
}

TEST_F(RegistryTests, SymlinkIsResolvedBeforeTheCheck) {
  fs::create_directory(dir_ / "d");
  fs::create_directory_symlink(dir_ / "d", dir_ / "link");
  std::string message = loadError((dir_ / "link").string());
  EXPECT_NE(message.find("is a directory"), std::string::npos) << message;
}

TEST_F(RegistryTests, FifoIsRefusedAtOnceInsteadOfWaitingForAWriter) {
  std::string fifo = (dir_ / "dump.fifo").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto result = std::async(std::launch::async, [&] { return loadError(fifo); });
  if (result.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    // The load is blocked opening or reading the FIFO: let it go (a writer that closes at once) and fail.
    int w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
    if (w >= 0) ::close(w);
    FAIL() << "loadDump on a FIFO did not return within 20 s";
  }
  std::string message = result.get();
  EXPECT_NE(message.find(": is a FIFO; expected a regular file holding a heap dump"), std::string::npos) << message;
}

TEST_F(RegistryTests, DeviceIsRefused) {
  std::string message = loadError("/dev/null");
  EXPECT_NE(message.find("/dev/null: is a character device; expected a regular file"), std::string::npos) << message;
}

TEST_F(RegistryTests, SocketIsRefused) {
  std::string path = (dir_ / "s.sock").string();
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string message = loadError(path);
  ::close(s);
  EXPECT_NE(message.find("is a socket; expected a regular file"), std::string::npos) << message;
}

TEST_F(RegistryTests, EmptyAndMissingFilesKeepTheirOwnMessages) {
  std::ofstream(dir_ / "empty.heapdump").close();
  std::string empty = loadError((dir_ / "empty.heapdump").string());
  EXPECT_NE(empty.find("the file is empty"), std::string::npos) << empty;
  std::string missing = loadError((dir_ / "missing.heapdump").string());
  EXPECT_NE(missing.find("cannot open " + (dir_ / "missing.heapdump").string() + ": No such file or directory"),
            std::string::npos)
      << missing;
}

TEST_F(RegistryTests, UnknownContentIsNeverEchoed) {
  // A file the client should not be able to read through us: the error names what was expected.
  std::string path = (dir_ / "secrets.txt").string();
  std::ofstream(path) << "password=hunter2\n";
  std::string message = loadError(path);
  EXPECT_NE(message.find(path + ": unknown file format; expected a Go heap dump"), std::string::npos) << message;
  EXPECT_NE(message.find("MoarVM heap snapshot"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
  EXPECT_EQ(message.find("password"), std::string::npos) << message;
  EXPECT_EQ(message.find("70 61 73"), std::string::npos) << message;  // "pas" in hex
  EXPECT_EQ(message.find("\\x"), std::string::npos) << message;
}

TEST_F(RegistryTests, EstimateOverTheMemoryBudgetIsRefusedBeforeParsing) {
  const std::string path = std::string(HEAPLENS_TEST_DATA) + "/go/leakcache-go1.22.heapdump";  // 4.04 MiB
  LoadOptions tight;
  tight.maxMemory = 1 << 20;
  std::string message;
  try {
    loadDump(path, tight, TaskContext());
  } catch (const LoadError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find(path + ": loading this 4.04 MiB Go heap dump"), std::string::npos) << message;
  EXPECT_NE(message.find("needs about 8.08 MiB, over the memory budget of 1 MiB (--max-memory / heaplens.maxMemory)"),
            std::string::npos)
      << message;
  LoadOptions roomy;
  roomy.maxMemory = uint64_t{1} << 30;
  EXPECT_EQ(loadDump(path, roomy, TaskContext())->objectCount(), 21206u);
}

TEST_F(RegistryTests, DefaultBudgetIsAShareOfPhysicalMemory) {
  uint64_t physical = static_cast<uint64_t>(::sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(::sysconf(_SC_PAGE_SIZE));
  EXPECT_GT(defaultMemoryBudget(), 0u);
  EXPECT_LE(defaultMemoryBudget(), physical / 4 * 3);
}

TEST_F(RegistryTests, HugeSparseGoFileReservesNothingItsBytesDoNotProve) {
  // A Go header and then a terabyte of holes (read as zeros: the EOF record). With a budget that lets
  // it through, the load must not reserve arrays in proportion to the file size (that was a bare
  // std::bad_alloc): it loads as an empty dump.
  std::string path = (dir_ / "huge.heapdump").string();
  std::ofstream(path, std::ios::binary) << "go1.7 heap dump\n";
  std::error_code ec;
  fs::resize_file(path, uint64_t{1} << 40, ec);
  if (ec) GTEST_SKIP() << "this file system cannot hold a 1 TiB sparse file: " << ec.message();
  LoadOptions options;
  options.maxMemory = uint64_t{4} << 40;
  std::unique_ptr<Dump> dump;
  try {
    dump = loadDump(path, options, TaskContext());
  } catch (const std::exception& e) {
    FAIL() << e.what();
  }
  EXPECT_EQ(dump->objectCount(), 0u);
  // The default budget refuses it at once, naming the estimate.
  std::string message = loadError(path);
  EXPECT_NE(message.find("needs about 2 TiB, over the memory budget of"), std::string::npos) << message;
}

}  // namespace
