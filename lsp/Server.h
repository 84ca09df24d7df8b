// Server: the LSP lifecycle, the dispatch table, cancellation, and scheduling of loads and features.
//
// Every wire method is bound once in bindMethods() to an onX handler. The
// reader thread classifies each body, enforces the lifecycle (-32002 before
// initialize, -32600 after shutdown), and either answers at once (state
// queries) or posts the work to a pool of two workers (loads, features), so
// it never waits on analysis: a request that arrives during a load is
// answered from the dumps already loaded. Each request gets exactly one
// reply through ReplyOnce (clangd's pattern), a $/cancelRequest stops its
// std::stop_source and it is answered -32800. Loads are serialised on a
// strand, which leaves one worker free for features.
//
// Threading: run() and the onX handlers run on the reader thread; work posted
// to the pool runs on workers; shared state is guarded as noted per member.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stop_token>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "analysis/formats/DumpFormat.h"
#include "lsp/DumpStore.h"
#include "lsp/Features.h"
#include "lsp/Progress.h"
#include "lsp/Transport.h"
#include "lsp/Workspace.h"
#include "protocol/Message.h"

namespace heaplens::lsp {

struct ServerOptions {
  unsigned workers = 2;
  // Test hook: each load waits this long (cancellably) before reading, so tests can act during a load.
  std::chrono::milliseconds testLoadDelay{0};
  // Diagnostic log (stderr by default); never the protocol stream.
  std::function<void(const std::string&)> log;
};

class Server;

// Exactly one reply per request: a second reply is dropped and logged; a request whose handler
// dropped every copy without replying is answered -32603.
class ReplyOnce {
public:
  ReplyOnce(Server& server, nlohmann::json id, std::string method, std::stop_source stop, uint64_t cookie);
  void operator()(nlohmann::json result) const;
  void error(const protocol::ResponseError& e) const;
  std::stop_token stopToken() const;
  std::stop_source stopSource() const;
  bool cancelled() const;
  const std::string& method() const;

private:
  struct State;
  std::shared_ptr<State> state_;
};

class Server final : public MessageHandler, public ClientChannel {
public:
  Server(Transport& transport, ServerOptions options = {});
  ~Server() override;

  // Serves until exit or end of input; returns the process exit code.
  int run();

  // MessageHandler (reader thread)
  bool onBody(std::string body) override;
  void onFramingError(const std::string& message) override;

  // ClientChannel (any thread)
  void notify(std::string_view method, nlohmann::json params) override;
  std::future<nlohmann::json> call(std::string_view method, nlohmann::json params) override;

private:
  friend class ReplyOnce;
  using json = nlohmann::json;
  using RequestHandler = void (Server::*)(const json& params, ReplyOnce reply);
  using NotificationHandler = void (Server::*)(const json& params);

  void bindMethods();
  void onRequest(protocol::Request request);
  void onNotification(protocol::Notification notification);
  void onResponse(protocol::Response response);
  void sendReply(const json& id, uint64_t cookie, json message);
  void log(const std::string& message) const;
  // Asks every in-flight request and load to stop (workers poll their tokens).
  void stopAll();

  // Lifecycle
  void onInitialize(const json& params, ReplyOnce reply);
  void onInitialized(const json& params);
  void onShutdown(const json& params, ReplyOnce reply);
  void onExit(const json& params);
  void onCancelRequest(const json& params);
  void onWorkDoneProgressCancel(const json& params);
  // Workspace
  void onDidOpen(const json& params);
  void onDidChange(const json& params);
  void onDidClose(const json& params);
  void onDidChangeWorkspaceFolders(const json& params);
  void onDidChangeConfiguration(const json& params);
  // Features
  void onHover(const json& params, ReplyOnce reply);
  void onCodeLens(const json& params, ReplyOnce reply);
  void onDocumentSymbol(const json& params, ReplyOnce reply);
  void onFoldingRange(const json& params, ReplyOnce reply);
  void onInlayHint(const json& params, ReplyOnce reply);
  void onRetainers(const json& params, ReplyOnce reply);
  void onExecuteCommand(const json& params, ReplyOnce reply);
  void onSummary(const json& params, ReplyOnce reply);
  void onFormats(const json& params, ReplyOnce reply);
  void onTopSites(const json& params, ReplyOnce reply);
  void onTypes(const json& params, ReplyOnce reply);
  void onDominators(const json& params, ReplyOnce reply);
  void onPageDumpHtml(const json& params, ReplyOnce reply);

  // Runs work on the pool; its result (or ResponseError / ParamsError / cancellation) is the reply.
  void runFeature(ReplyOnce reply, std::function<json(std::stop_token)> work);
  // runFeature for a feature of one document: the dumps, source map and document as they are now.
  void runDocumentFeature(const std::string& uri, ReplyOnce reply,
                          std::function<json(const FeatureContext&, const Document&)> feature);
  FeatureContext featureContext(std::shared_ptr<const SourceMap>& keepAlive);
  Document documentFor(const std::string& uri);

  // Loads `path` on the load strand; `done` gets the summary or an error (any thread).
  using LoadDone = std::function<void(std::optional<json> summary, std::optional<protocol::ResponseError> error)>;
  // With a baseline (a path), the target's growth since it becomes the dump's growth part.
  void startLoad(std::string path, LoadOptions options, std::optional<std::string> baseline, std::stop_source stop,
                 LoadDone done);
  // Computes target.growth against the baseline (loaded already, or read for this); throws LoadError.
  void compareWithBaseline(Dump& target, const std::string& baselinePath, const LoadOptions& options,
                           const TaskContext& ctx);
  // heaplens/dumpsChanged: the summary, after every change of what is loaded or loading.
  void notifyDumpsChanged();
  void unloadDump(const std::string& path);
  // Tells the workspace scan which skipped directories the loaded dumps' recorded paths pass through.
  void updateIndexHints();
  void publishDiagnostics(std::vector<Document> docs);
  // Open documents and the workspace files with the most findings (Problems list), stale ones cleared.
  void publishWorkspaceDiagnostics();
  void sendDiagnostics(const FeatureContext& ctx, const Document& doc, uint64_t generation);
  // After a load, unload, baseline or settings change: diagnostics, and refresh requests to the client.
  void afterDumpsChanged();
  void applySettings(const json& value, const char* where);
  void loadConfiguredDumps();
  std::string resolvePath(const std::string& path) const;

  Transport& transport_;
  ServerOptions options_;
  std::unordered_map<std::string, RequestHandler> requestHandlers_;
  std::unordered_map<std::string, NotificationHandler> notificationHandlers_;

  // Lifecycle (reader thread).
  bool initialized_ = false;
  bool shutdownRequested_ = false;
  std::optional<int> exitCode_;
  bool clientWorkDoneProgress_ = false;
  bool clientCodeLensRefresh_ = false;   // workspace.codeLens.refreshSupport
  bool clientInlayHintRefresh_ = false;  // workspace.inlayHint.refreshSupport
  bool plainTextHover_ = false;          // textDocument.hover.contentFormat starts with plaintext

  Workspace workspace_;

  // Loaded dumps, loads in flight, baselines (thread-safe on its own).
  DumpStore store_;

  // In-flight requests that can be cancelled: id (serialised) -> (cookie, stop source) (guarded).
  std::mutex cancelMutex_;
  std::map<std::string, std::pair<uint64_t, std::stop_source>> inFlight_;
  std::map<std::string, std::stop_source> progressTokens_;  // work-done token -> its load
  uint64_t nextCookie_ = 1;

  // Requests to the client awaiting replies, oldest first, at most kMaxPendingCalls (guarded).
  static constexpr size_t kMaxPendingCalls = 100;
  std::mutex callsMutex_;
  std::deque<std::pair<int64_t, std::promise<json>>> pendingCalls_;
  int64_t nextCallId_ = 1;
  std::atomic<uint64_t> nextToken_{1};

  // Latest diagnostics generation per document, so an old computation never overwrites a newer one.
  std::mutex diagMutex_;
  std::map<std::string, uint64_t> diagGeneration_;
  std::set<std::string> published_;  // URIs whose last published diagnostics were not empty

  boost::asio::thread_pool pool_;
  boost::asio::strand<boost::asio::thread_pool::executor_type> loadStrand_;
};

}  // namespace heaplens::lsp

namespace heaplens::lsp {
// heaplens/formats: every registered format, from the registry (analysis/formats/Registry.cpp).
protocol::FormatsResult supportedFormats();
// The error's message, with " (at byte N)" when it knows the offset and the message does not say it.
std::string loadErrorText(const LoadError& e);
}  // namespace heaplens::lsp
