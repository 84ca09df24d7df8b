// Server: lifecycle, dispatch, cancellation and scheduling (see Server.h).
#include "lsp/Server.h"

#include <malloc.h>

#include <cstdio>

#include "analysis/Text.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <unordered_set>

#include <boost/asio/post.hpp>

#include "analysis/SnapshotDiff.h"
#include "lsp/FeatureSupport.h"
#include "lsp/Uri.h"

namespace heaplens::lsp {

using nlohmann::json;
using protocol::ErrorCode;
using protocol::ParamsError;
using protocol::ResponseError;

namespace {

using protocol::kLoadDumpCommand;
using protocol::kShowRetainersCommand;
using protocol::kUnloadDumpCommand;

std::string idKey(const json& id) { return protocol::toText(id); }

ResponseError cancelledError() { return ResponseError(ErrorCode::RequestCancelled, "request cancelled"); }

// glibc keeps freed blocks for reuse (and raises its mmap threshold once big blocks are freed, so
// later ones come from the heap too): after a dump goes, the process would stay near its peak.
// malloc_trim hands the free pages back.
void releaseFreedMemory() { ::malloc_trim(0); }

// Shares a loaded dump; when its last owner lets go (an unload, a reload, a feature finishing
// last), the memory it held is returned to the system.
std::shared_ptr<const Dump> shareDump(std::unique_ptr<Dump> dump) {
  return std::shared_ptr<const Dump>(dump.release(), [](const Dump* d) {
    delete d;
    releaseFreedMemory();
  });
}

// Params that are absent, null or [] mean "no params" (Neovim sends [], Eglot null).
json normaliseParams(json params) {
  if (params.is_null() || (params.is_array() && params.empty())) return json::object();
  return params;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ReplyOnce

struct ReplyOnce::State {
  Server* server;
  json id;
  std::string method;
  std::stop_source stop;
  uint64_t cookie;
  std::atomic<bool> replied{false};

  ~State() {
    if (!replied.exchange(true))
      server->sendReply(id, cookie,
                        protocol::makeError(id, ResponseError(ErrorCode::InternalError,
                                                              "server failed to reply to " + method)));
  }
};

ReplyOnce::ReplyOnce(Server& server, json id, std::string method, std::stop_source stop, uint64_t cookie)
    : state_(std::make_shared<State>()) {
  state_->server = &server;
  state_->id = std::move(id);
  state_->method = std::move(method);
  state_->stop = std::move(stop);
  state_->cookie = cookie;
}

void ReplyOnce::operator()(json result) const {
  if (state_->replied.exchange(true)) {
    state_->server->log("dropped a second reply to " + state_->method + " " + protocol::toText(state_->id));
    return;
  }
  state_->server->sendReply(state_->id, state_->cookie, protocol::makeResult(state_->id, std::move(result)));
}

void ReplyOnce::error(const ResponseError& e) const {
  if (state_->replied.exchange(true)) {
    state_->server->log("dropped a second reply (error) to " + state_->method + " " + protocol::toText(state_->id));
    return;
  }
  state_->server->sendReply(state_->id, state_->cookie, protocol::makeError(state_->id, e));
}

std::stop_token ReplyOnce::stopToken() const { return state_->stop.get_token(); }
std::stop_source ReplyOnce::stopSource() const { return state_->stop; }
bool ReplyOnce::cancelled() const { return state_->stop.stop_requested(); }
const std::string& ReplyOnce::method() const { return state_->method; }

// ---------------------------------------------------------------------------------------------
// Server

Server::Server(Transport& transport, ServerOptions options)
    : transport_(transport), options_(std::move(options)), pool_(options_.workers ? options_.workers : 2),
      loadStrand_(boost::asio::make_strand(pool_.get_executor())) {
  if (!options_.log) options_.log = [](const std::string& m) { std::cerr << "heaplens: " << m << std::endl; };
  bindMethods();
  // Runs on the workspace's indexing thread: features built on the old index are stale now.
  workspace_.onIndexed([this](const IndexReport& r) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.2f", r.seconds);
    std::string message = "indexed " + formatCount(r.files) + " source files in " + formatCount(r.folders) +
                          (r.folders == 1 ? " workspace folder (" : " workspace folders (") + seconds + " s)";
    if (r.truncated) message += "; stopped at the limit of heaplens.maxWorkspaceFiles";
    notify("window/logMessage", json{{"type", 4}, {"message", "heaplens: " + message}});
    publishDiagnostics(workspace_.documents());
  });
}

Server::~Server() {
  workspace_.stopIndexing();  // its callback posts to the pool
  stopAll();
  pool_.join();
}

void Server::stopAll() {
  std::lock_guard lock(cancelMutex_);
  for (auto& [id, entry] : inFlight_) entry.second.request_stop();
  for (auto& [token, stop] : progressTokens_) stop.request_stop();
}

void Server::bindMethods() {
  requestHandlers_ = {
      {"initialize", &Server::onInitialize},
      {"shutdown", &Server::onShutdown},
      {"textDocument/hover", &Server::onHover},
      {"textDocument/codeLens", &Server::onCodeLens},
      {"textDocument/documentSymbol", &Server::onDocumentSymbol},
      {"textDocument/foldingRange", &Server::onFoldingRange},
      {"textDocument/inlayHint", &Server::onInlayHint},
      {"workspace/executeCommand", &Server::onExecuteCommand},
      {protocol::kRetainersMethod, &Server::onRetainers},
      {protocol::kSummaryMethod, &Server::onSummary},
      {protocol::kFormatsMethod, &Server::onFormats},
      {protocol::kTopSitesMethod, &Server::onTopSites},
      {protocol::kTypesMethod, &Server::onTypes},
      {protocol::kDominatorsMethod, &Server::onDominators},
      {protocol::kPageDumpHtmlMethod, &Server::onPageDumpHtml},
  };
  notificationHandlers_ = {
      {"initialized", &Server::onInitialized},
      {"exit", &Server::onExit},
      {"$/cancelRequest", &Server::onCancelRequest},
      {"window/workDoneProgress/cancel", &Server::onWorkDoneProgressCancel},
      {"textDocument/didOpen", &Server::onDidOpen},
      {"textDocument/didChange", &Server::onDidChange},
      {"textDocument/didClose", &Server::onDidClose},
      {"workspace/didChangeWorkspaceFolders", &Server::onDidChangeWorkspaceFolders},
      {"workspace/didChangeConfiguration", &Server::onDidChangeConfiguration},
  };
}

int Server::run() {
  transport_.loop(*this);
  workspace_.stopIndexing();
  if (!exitCode_) {
    log(shutdownRequested_ ? "end of input after shutdown" : "end of input without shutdown and exit");
    exitCode_ = shutdownRequested_ ? 0 : 1;
  }
  // Stop what is still running; workers poll their tokens, so join() below is short.
  stopAll();
  {
    // Unblock loads waiting for a progress token.
    std::lock_guard lock(callsMutex_);
    for (auto& [id, promise] : pendingCalls_)
      promise.set_exception(std::make_exception_ptr(ResponseError(ErrorCode::RequestCancelled, "server exiting")));
    pendingCalls_.clear();
  }
  pool_.join();
  return *exitCode_;
}

void Server::log(const std::string& message) const { options_.log(message); }

void Server::onFramingError(const std::string& message) {
  log("framing error: " + message);
  // No id can be known; answer as a parse error so the client sees it too.
  transport_.send(protocol::makeError(nullptr, ResponseError(ErrorCode::ParseError, "framing error: " + message)));
}

bool Server::onBody(std::string body) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    log("body is not JSON (" + std::to_string(body.size()) + " bytes)");
    transport_.send(protocol::makeError(
        nullptr, ResponseError(ErrorCode::ParseError,
                               "message body is not valid JSON (" + std::to_string(body.size()) + " bytes)")));
    return true;
  }
  auto message = protocol::classify(std::move(parsed));
  if (auto* invalid = std::get_if<protocol::InvalidMessage>(&message)) {
    transport_.send(protocol::makeError(invalid->id, ResponseError(ErrorCode::InvalidRequest, invalid->reason)));
  } else if (auto* request = std::get_if<protocol::Request>(&message)) {
    onRequest(std::move(*request));
  } else if (auto* notification = std::get_if<protocol::Notification>(&message)) {
    onNotification(std::move(*notification));
  } else {
    onResponse(std::move(std::get<protocol::Response>(message)));
  }
  return !exitCode_;
}

void Server::onRequest(protocol::Request request) {
  const json& id = request.id;
  if (!initialized_ && request.method != "initialize") {
    transport_.send(protocol::makeError(
        id, ResponseError(ErrorCode::ServerNotInitialized, request.method + " before initialize")));
    return;
  }
  if (shutdownRequested_) {
    transport_.send(protocol::makeError(
        id, ResponseError(ErrorCode::InvalidRequest, request.method + " after shutdown: only exit is accepted")));
    return;
  }
  auto handler = requestHandlers_.find(request.method);
  if (handler == requestHandlers_.end()) {
    transport_.send(protocol::makeError(id, ResponseError(ErrorCode::MethodNotFound, "method not found: " + request.method)));
    return;
  }
  std::stop_source stop;
  uint64_t cookie;
  {
    std::lock_guard lock(cancelMutex_);
    cookie = nextCookie_++;
    // A client reusing an id replaces the older entry; the cookie keeps the older reply from erasing the newer.
    inFlight_[idKey(id)] = {cookie, stop};
  }
  ReplyOnce reply(*this, id, request.method, stop, cookie);
  json params = normaliseParams(std::move(request.params));
  try {
    (this->*handler->second)(params, reply);
  } catch (const ParamsError& e) {
    reply.error(protocol::invalidParams(request.method, e));
  } catch (const ResponseError& e) {
    reply.error(e);
  } catch (const std::exception& e) {
    reply.error(ResponseError(ErrorCode::InternalError, request.method + " failed: " + e.what()));
  }
}

void Server::onNotification(protocol::Notification notification) {
  if (!initialized_ && notification.method != "exit") {
    log("dropped " + notification.method + " before initialize");
    return;
  }
  auto handler = notificationHandlers_.find(notification.method);
  if (handler == notificationHandlers_.end()) {
    log("ignored notification " + notification.method);
    return;
  }
  try {
    (this->*handler->second)(normaliseParams(std::move(notification.params)));
  } catch (const ParamsError& e) {
    // Notifications cannot be answered; tell the user through the log.
    std::string message = protocol::invalidParams(notification.method, e).what();
    log(message);
    notify("window/logMessage", json{{"type", 1}, {"message", "heaplens: " + message}});
  } catch (const std::exception& e) {
    log(notification.method + " failed: " + e.what());
    notify("window/logMessage", json{{"type", 1}, {"message", "heaplens: " + notification.method + " failed: " + e.what()}});
  }
}

void Server::onResponse(protocol::Response response) {
  if (!response.id.is_number_integer()) {
    log("reply with an id this server never used: " + protocol::toText(response.id));
    return;
  }
  std::promise<json> promise;
  {
    std::lock_guard lock(callsMutex_);
    auto it = std::find_if(pendingCalls_.begin(), pendingCalls_.end(),
                           [&](const auto& p) { return p.first == response.id.get<int64_t>(); });
    if (it == pendingCalls_.end()) {
      log("reply to unknown request " + protocol::toText(response.id));
      return;
    }
    promise = std::move(it->second);
    pendingCalls_.erase(it);
  }
  if (response.error) {
    const json& e = *response.error;
    int code = e.is_object() && e.contains("code") && e["code"].is_number_integer() ? e["code"].get<int>() : -32603;
    std::string message = e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>() : "error";
    promise.set_exception(std::make_exception_ptr(ResponseError(static_cast<ErrorCode>(code), message)));
  } else {
    promise.set_value(response.result.value_or(nullptr));
  }
}

void Server::sendReply(const json& id, uint64_t cookie, json message) {
  {
    std::lock_guard lock(cancelMutex_);
    auto it = inFlight_.find(idKey(id));
    if (it != inFlight_.end() && it->second.first == cookie) inFlight_.erase(it);
  }
  transport_.send(message);
}

void Server::notify(std::string_view method, json params) {
  transport_.send(protocol::makeNotification(method, std::move(params)));
}

std::future<json> Server::call(std::string_view method, json params) {
  std::promise<json> promise;
  auto future = promise.get_future();
  int64_t id;
  {
    std::lock_guard lock(callsMutex_);
    id = nextCallId_++;
    if (pendingCalls_.size() >= kMaxPendingCalls) {
      // The client never answered the oldest; give up on it rather than grow without bound.
      pendingCalls_.front().second.set_exception(std::make_exception_ptr(
          ResponseError(ErrorCode::InternalError, "no reply from the client (too many pending requests)")));
      pendingCalls_.pop_front();
    }
    pendingCalls_.emplace_back(id, std::move(promise));
  }
  transport_.send(protocol::makeRequest(id, method, std::move(params)));
  return future;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

void Server::onInitialize(const json& params, ReplyOnce reply) {
  if (initialized_) throw ResponseError(ErrorCode::InvalidRequest, "initialize sent twice");
  if (!params.is_object()) throw ParamsError("", "object, got " + protocol::typeName(params));
  // Capabilities are read leniently: an empty table arrives as [] from Neovim, and a client's odd
  // capability must not fail the session.
  if (auto caps = params.find("capabilities"); caps != params.end() && caps->is_object()) {
    auto window = caps->find("window");
    if (window != caps->end() && window->is_object()) {
      auto wdp = window->find("workDoneProgress");
      clientWorkDoneProgress_ = wdp != window->end() && wdp->is_boolean() && wdp->get<bool>();
    }
    // Lenient reads: a missing or odd value means "not supported".
    auto flag = [&](std::initializer_list<const char*> path) {
      const json* at = &*caps;
      for (const char* key : path) {
        if (!at->is_object()) return false;
        auto it = at->find(key);
        if (it == at->end()) return false;
        at = &*it;
      }
      return at->is_boolean() && at->get<bool>();
    };
    clientCodeLensRefresh_ = flag({"workspace", "codeLens", "refreshSupport"});
    clientInlayHintRefresh_ = flag({"workspace", "inlayHint", "refreshSupport"});
    if (auto td = caps->find("textDocument"); td != caps->end() && td->is_object()) {
      auto hover = td->find("hover");
      if (hover != td->end() && hover->is_object()) {
        auto formats = hover->find("contentFormat");
        // The client's first choice decides; markdown is the default when it names none.
        if (formats != hover->end() && formats->is_array() && !formats->empty() && (*formats)[0].is_string())
          plainTextHover_ = (*formats)[0].get<std::string>() == "plaintext";
      }
    }
  }
  std::vector<std::string> folders;
  if (const json* wf = protocol::optArray(params, "workspaceFolders")) {
    for (size_t i = 0; i < wf->size(); ++i) {
      try {
        std::string uri = protocol::getString((*wf)[i], "uri");
        if (auto path = uriToPath(uri)) folders.push_back(*path);
      } catch (const ParamsError& e) {
        throw e.within(i).within("workspaceFolders");
      }
    }
  }
  if (folders.empty()) {
    if (auto rootUri = protocol::optString(params, "rootUri")) {
      if (auto path = uriToPath(*rootUri)) folders.push_back(*path);
    } else if (auto rootPath = protocol::optString(params, "rootPath")) {
      folders.push_back(*rootPath);
    }
  }
  workspace_.setFolders(std::move(folders));
  if (auto it = params.find("initializationOptions"); it != params.end()) applySettings(*it, "initializationOptions");
  initialized_ = true;

  json capabilities = {
      {"textDocumentSync", {{"openClose", true}, {"change", 2}}},
      {"hoverProvider", true},
      {"documentSymbolProvider", true},
      {"foldingRangeProvider", true},
      // Answered always; empty unless the inlayHints setting is on (lenses are the default).
      {"inlayHintProvider", true},
      // Offered whatever the client says: Neovim 0.7 uses lenses without advertising them.
      {"codeLensProvider", {{"resolveProvider", false}}},
      {"executeCommandProvider", {{"commands", {kLoadDumpCommand, kUnloadDumpCommand, kShowRetainersCommand}}}},
      {"workspace", {{"workspaceFolders", {{"supported", true}, {"changeNotifications", true}}}}},
  };
  reply(json{{"capabilities", capabilities}, {"serverInfo", {{"name", "heaplens"}, {"version", HEAPLENS_VERSION}}}});
}

void Server::onInitialized(const json&) { loadConfiguredDumps(); }

void Server::onShutdown(const json&, ReplyOnce reply) {
  shutdownRequested_ = true;
  reply(nullptr);
}

void Server::onExit(const json&) { exitCode_ = shutdownRequested_ ? 0 : 1; }

void Server::onCancelRequest(const json& params) {
  auto it = params.find("id");
  if (it == params.end() || !(it->is_string() || it->is_number_integer()))
    throw ParamsError("/id", "integer or string");
  std::lock_guard lock(cancelMutex_);
  if (auto f = inFlight_.find(idKey(*it)); f != inFlight_.end()) f->second.second.request_stop();
}

void Server::onWorkDoneProgressCancel(const json& params) {
  auto it = params.find("token");
  if (it == params.end() || !(it->is_string() || it->is_number_integer()))
    throw ParamsError("/token", "integer or string");
  std::string token = it->is_string() ? it->get<std::string>() : it->dump();
  std::lock_guard lock(cancelMutex_);
  if (auto f = progressTokens_.find(token); f != progressTokens_.end()) f->second.request_stop();
}

// ---------------------------------------------------------------------------------------------
// Workspace

void Server::onDidOpen(const json& params) {
  const json& item = protocol::requireField(params, "textDocument", json::value_t::object, "object");
  Document doc;
  try {
    doc.uri = protocol::getString(item, "uri");
    doc.languageId = protocol::optString(item, "languageId").value_or("");
    doc.version = static_cast<int>(protocol::optInteger(item, "version").value_or(0));
    doc.text = protocol::getString(item, "text");
  } catch (const ParamsError& e) {
    throw e.within("textDocument");
  }
  doc.path = uriToPath(doc.uri).value_or("");
  workspace_.open(doc);
  publishDiagnostics({std::move(doc)});
}

void Server::onDidChange(const json& params) {
  const json& td = protocol::requireField(params, "textDocument", json::value_t::object, "object");
  std::string uri;
  int version = 0;
  try {
    uri = protocol::getString(td, "uri");
    version = static_cast<int>(protocol::optInteger(td, "version").value_or(0));
  } catch (const ParamsError& e) {
    throw e.within("textDocument");
  }
  const json& changes = protocol::requireField(params, "contentChanges", json::value_t::array, "array");
  if (!workspace_.change(uri, version, changes)) {
    log("didChange for a document that is not open: " + uri);
    return;
  }
  if (auto doc = workspace_.document(uri)) publishDiagnostics({std::move(*doc)});
}

void Server::onDidClose(const json& params) {
  auto td = protocol::getAs<protocol::TextDocumentIdentifier>(params, "textDocument");
  workspace_.close(td.uri);
  // A closed file keeps its findings in the Problems list: they are recomputed from the file on disk
  // (which clears them when it has none, or when the file is gone).
  publishDiagnostics({documentFor(td.uri)});
}

void Server::onDidChangeWorkspaceFolders(const json& params) {
  const json& event = protocol::requireField(params, "event", json::value_t::object, "object");
  auto paths = [&](const char* key) {
    std::vector<std::string> out;
    try {
      if (const json* list = protocol::optArray(event, key))
        for (size_t i = 0; i < list->size(); ++i) {
          try {
            if (auto p = uriToPath(protocol::getString((*list)[i], "uri"))) out.push_back(*p);
          } catch (const ParamsError& e) {
            throw e.within(i).within(key);
          }
        }
    } catch (const ParamsError& e) {
      throw e.within("event");
    }
    return out;
  };
  workspace_.changeFolders(paths("added"), paths("removed"));
  publishWorkspaceDiagnostics();
}

void Server::onDidChangeConfiguration(const json& params) {
  applySettings(params, "workspace/didChangeConfiguration");
  loadConfiguredDumps();
  afterDumpsChanged();
}

void Server::applySettings(const json& value, const char* where) {
  try {
    workspace_.updateSettings(value);
  } catch (const ParamsError& e) {
    // A bad setting must not end the session: keep the previous settings and say which one was wrong.
    std::string message = std::string("invalid settings in ") + where + ": " + e.what() + " (previous settings kept)";
    log(message);
    notify("window/showMessage", json{{"type", 2}, {"message", "heaplens: " + message}});
  }
}

std::string Server::resolvePath(const std::string& path) const {
  std::filesystem::path p(path);
  if (auto fromUri = uriToPath(path)) p = *fromUri;
  if (p.is_relative()) {
    auto folders = workspace_.folders();
    if (!folders.empty()) p = std::filesystem::path(folders.front()) / p;
    else p = std::filesystem::absolute(p);
  }
  return p.lexically_normal().string();
}

void Server::loadConfiguredDumps() {
  for (const auto& raw : workspace_.settings().dumps) {
    std::string path = resolvePath(raw);
    if (store_.isLoadedOrLoading(path)) continue;
    std::stop_source stop;
    startLoad(path, {}, std::nullopt, stop, [this, path](std::optional<json>, std::optional<ResponseError> error) {
      if (error && error->code != ErrorCode::RequestCancelled)
        notify("window/showMessage", json{{"type", 1}, {"message", std::string("heaplens: ") + error->what()}});
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Features

FeatureContext Server::featureContext(std::shared_ptr<const SourceMap>& keepAlive) {
  keepAlive = workspace_.sourceMap();
  FeatureContext ctx;
  ctx.sourceMap = keepAlive.get();
  ctx.settings = workspace_.settings().features;
  ctx.settings.plainTextHover = plainTextHover_;
  ctx.dumps = store_.dumps();
  return ctx;
}

Document Server::documentFor(const std::string& uri) {
  if (auto doc = workspace_.document(uri)) return *doc;
  // Not open (a client may ask for lenses first): read it from disk so the features see its text.
  Document doc;
  doc.uri = uri;
  doc.path = uriToPath(uri).value_or("");
  if (!doc.path.empty()) {
    std::error_code ec;
    auto size = std::filesystem::file_size(doc.path, ec);
    if (!ec && size <= (16u << 20)) {
      std::ifstream in(doc.path, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      doc.text = text.str();
    }
  }
  return doc;
}

void Server::runFeature(ReplyOnce reply, std::function<json(std::stop_token)> work) {
  boost::asio::post(pool_, [reply, work = std::move(work)] {
    if (reply.cancelled()) return reply.error(cancelledError());
    try {
      json result = work(reply.stopToken());
      if (reply.cancelled()) return reply.error(cancelledError());
      reply(std::move(result));
    } catch (const ParamsError& e) {
      reply.error(protocol::invalidParams(reply.method(), e));
    } catch (const ResponseError& e) {
      reply.error(e);
    } catch (const OperationCancelled&) {
      reply.error(cancelledError());
    } catch (const std::exception& e) {
      reply.error(ResponseError(ErrorCode::InternalError, reply.method() + " failed: " + e.what()));
    }
  });
}

void Server::runDocumentFeature(const std::string& uri, ReplyOnce reply,
                                std::function<json(const FeatureContext&, const Document&)> feature) {
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  auto doc = documentFor(uri);
  runFeature(std::move(reply), [ctx = std::move(ctx), keep, doc = std::move(doc), feature = std::move(feature)](
                                   std::stop_token) -> json { return feature(ctx, doc); });
}

void Server::onHover(const json& params, ReplyOnce reply) {
  auto p = params.get<protocol::TextDocumentPositionParams>();
  runDocumentFeature(p.textDocument.uri, reply, [pos = p.position](const FeatureContext& ctx, const Document& doc) {
    auto hover = getHover(ctx, doc, pos);
    return hover ? json(*hover) : json(nullptr);
  });
}

void Server::onCodeLens(const json& params, ReplyOnce reply) {
  auto td = protocol::getAs<protocol::TextDocumentIdentifier>(params, "textDocument");
  runDocumentFeature(td.uri, reply, [](const FeatureContext& ctx, const Document& doc) {
    return json(getCodeLenses(ctx, doc));
  });
}

void Server::onDocumentSymbol(const json& params, ReplyOnce reply) {
  auto td = protocol::getAs<protocol::TextDocumentIdentifier>(params, "textDocument");
  runDocumentFeature(td.uri, reply, [](const FeatureContext& ctx, const Document& doc) {
    return json(getDocumentSymbols(ctx, doc));
  });
}

void Server::onInlayHint(const json& params, ReplyOnce reply) {
  auto td = protocol::getAs<protocol::TextDocumentIdentifier>(params, "textDocument");
  protocol::Range range{{0, 0}, {UINT32_MAX, 0}};
  if (params.contains("range")) range = protocol::getAs<protocol::Range>(params, "range");
  runDocumentFeature(td.uri, reply, [range](const FeatureContext& ctx, const Document& doc) {
    return getInlayHints(ctx, doc, range.start.line, range.end.line);
  });
}

void Server::onFoldingRange(const json& params, ReplyOnce reply) {
  auto td = protocol::getAs<protocol::TextDocumentIdentifier>(params, "textDocument");
  runDocumentFeature(td.uri, reply, [](const FeatureContext& ctx, const Document& doc) {
    return json(getFoldingRanges(ctx, doc));
  });
}

void Server::onRetainers(const json& params, ReplyOnce reply) {
  std::optional<Document> doc;
  if (protocol::optObject(params, "textDocument"))
    doc = documentFor(protocol::getAs<protocol::TextDocumentIdentifier>(params, "textDocument").uri);
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  runFeature(reply, [ctx = std::move(ctx), keep, doc = std::move(doc), params](std::stop_token) -> json {
    return json(getRetainers(ctx, params, doc));
  });
}

void Server::onSummary(const json&, ReplyOnce reply) { reply(json(store_.summary())); }

void Server::onFormats(const json&, ReplyOnce reply) { reply(json(supportedFormats())); }

void Server::onTopSites(const json& params, ReplyOnce reply) {
  auto p = params.get<protocol::BrowseParams>();
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  runFeature(reply, [ctx = std::move(ctx), keep, p](std::stop_token) { return json(getTopSites(ctx, p)); });
}

void Server::onTypes(const json& params, ReplyOnce reply) {
  auto p = params.get<protocol::BrowseParams>();
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  runFeature(reply, [ctx = std::move(ctx), keep, p](std::stop_token) { return json(getTypes(ctx, p)); });
}

void Server::onPageDumpHtml(const json& params, ReplyOnce reply) {
  auto p = params.get<protocol::PageDumpHtmlParams>();
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  runFeature(reply, [ctx = std::move(ctx), keep, p](std::stop_token) { return json(getPageDumpHtml(ctx, p)); });
}

void Server::onDominators(const json& params, ReplyOnce reply) {
  auto p = params.get<protocol::BrowseParams>();
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  runFeature(reply, [ctx = std::move(ctx), keep, p](std::stop_token) { return json(getDominators(ctx, p)); });
}

protocol::FormatsResult supportedFormats() {
  protocol::FormatsResult r;
  for (const DumpFormat* f : dumpFormats()) {
    protocol::FormatInfo info;
    info.name = f->name();
    info.description = f->description();
    for (std::string_view e : f->extensions()) info.extensions.emplace_back(e);
    for (std::string_view l : f->languages()) info.languages.emplace_back(l);
    info.parsed = f->parsed();
    r.formats.push_back(std::move(info));
  }
  return r;
}

void Server::onExecuteCommand(const json& params, ReplyOnce reply) {
  std::string command = protocol::getString(params, "command");
  const json* argsPtr = protocol::optArray(params, "arguments");
  json args = argsPtr ? *argsPtr : json::array();

  if (command == kLoadDumpCommand) {
    if (args.empty()) throw ParamsError("/arguments", "[path] or [{\"path\": ..., \"snapshot\": n}], got no arguments");
    std::string path;
    LoadOptions options;
    std::optional<std::string> baseline;
    const json& a = args[0];
    if (a.is_string()) {
      path = a.get<std::string>();
    } else if (a.is_object()) {
      try {
        auto arg = a.get<protocol::LoadDumpArgument>();
        path = arg.path;
        options.snapshot = arg.snapshot;
        if (arg.baseline && !arg.baseline->empty()) baseline = resolvePath(*arg.baseline);
        if (arg.executable && !arg.executable->empty()) options.executable = resolvePath(*arg.executable);
      } catch (const ParamsError& e) {
        throw e.within(size_t{0}).within("arguments");
      }
    } else {
      throw ParamsError("/arguments/0", "string (a path) or object {path, snapshot?}, got " + protocol::typeName(a));
    }
    if (path.empty()) throw ParamsError("/arguments/0", "a non-empty path");
    // The request's own stop source: $/cancelRequest on the command stops the load.
    startLoad(resolvePath(path), options, baseline, reply.stopSource(), [reply](std::optional<json> summary,
                                                                                     std::optional<ResponseError> error) {
      if (error) reply.error(*error);
      else reply(std::move(*summary));
    });
    return;
  }
  if (command == kUnloadDumpCommand) {
    if (args.empty() || !args[0].is_string())
      throw ParamsError("/arguments/0", "string (the path of a loaded dump)");
    std::string path = resolvePath(args[0].get<std::string>());
    if (!store_.isLoaded(path)) throw ResponseError(ErrorCode::RequestFailed, "no dump loaded from " + path);
    unloadDump(path);
    reply(json(protocol::UnloadResult{path}));
    return;
  }
  if (command == kShowRetainersCommand) {
    json retainerParams = args.empty() ? json::object() : args[0];
    if (!retainerParams.is_object()) throw ParamsError("/arguments/0", "object (heaplens/retainers params)");
    try {
      onRetainers(retainerParams, reply);
    } catch (const ParamsError& e) {
      throw e.within(size_t{0}).within("arguments");
    }
    return;
  }
  throw ResponseError(ErrorCode::InvalidParams, "unknown command: " + command,
                      json{{"commands", {kLoadDumpCommand, kUnloadDumpCommand, kShowRetainersCommand}}});
}

// ---------------------------------------------------------------------------------------------
// Loads and diagnostics

std::string loadErrorText(const LoadError& e) {
  std::string message = e.what();
  if (e.offset && message.find("byte") == std::string::npos) message += " (at byte " + std::to_string(*e.offset) + ")";
  return message;
}

void Server::startLoad(std::string path, LoadOptions options, std::optional<std::string> baseline,
                       std::stop_source stop, LoadDone done) {
  if (!options.maxMemory) options.maxMemory = workspace_.settings().maxMemory;
  // Generated JavaScript is looked for in the workspace as it is now (then at its recorded path), for
  // its source map: locations move to the TypeScript lines once, at load time.
  if (!options.locateFile) options.locateFile = workspaceLocator(workspace_.sourceMap());
  // Cancelled by the request that started it ($/cancelRequest) or through its progress token.
  std::string token = "heaplens-load-" + std::to_string(nextToken_++);
  {
    std::lock_guard lock(cancelMutex_);
    progressTokens_[token] = stop;
  }
  store_.beginLoading(path);
  notifyDumpsChanged();
  boost::asio::post(loadStrand_, [this, path, options, baseline, stop, token, done = std::move(done)]() mutable {
    auto finish = [&](std::optional<json> summary, std::optional<ResponseError> error) {
      store_.endLoading(path);
      notifyDumpsChanged();
      {
        std::lock_guard lock(cancelMutex_);
        progressTokens_.erase(token);
      }
      done(std::move(summary), std::move(error));
    };
    std::string name = std::filesystem::path(path).filename().string();
    ProgressReporter progress(*this, clientWorkDoneProgress_, token, "Loading heap dump", name);
    try {
      progress.begin(stop.get_token());
      auto deadline = std::chrono::steady_clock::now() + options_.testLoadDelay;
      while (std::chrono::steady_clock::now() < deadline) {
        if (stop.stop_requested()) throw OperationCancelled();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      TaskContext ctx(stop.get_token(), [&](std::string_view phase, double fraction) { progress.update(phase, fraction); });
      std::unique_ptr<Dump> target = loadDump(path, options, ctx);
      if (baseline) compareWithBaseline(*target, *baseline, options, ctx);
      std::shared_ptr<const Dump> dump = shareDump(std::move(target));
      auto loaded = std::make_shared<const LoadedDump>(dump);
      // The indexes every lens, hover and diagnostic reads (the shortest root paths among them), built
      // here on the load's thread while the progress says so, not by the first request after the load.
      loaded->prepare(*workspace_.sourceMap(), ctx);
      protocol::DumpSummary summary = dumpSummary(*dump);
      summary.baseline = baseline;
      store_.setBaseline(path, baseline);
      summary.executable = options.executable;  // read by the formats that use one (Go); see its warnings
      // Replaces a dump of the same path; a failed or cancelled load never gets here.
      store_.install(loaded, summary);
      progress.end("Loaded " + plural(dump->objectCount(), "object"));
      finish(json(summary), std::nullopt);
      if (workspace_.settings().loadMessages) notify("window/showMessage", json{{"type", 3}, {"message", loadedMessage(*loaded)}});
      updateIndexHints();
      afterDumpsChanged();
    } catch (const OperationCancelled&) {
      releaseFreedMemory();  // what the load had built is freed by now
      progress.end("Cancelled; the previous state is kept");
      finish(std::nullopt, ResponseError(ErrorCode::RequestCancelled, "loading " + path + " was cancelled"));
    } catch (const LoadError& e) {
      releaseFreedMemory();
      std::string message = loadErrorText(e);
      progress.end("Failed: " + message);
      if (workspace_.settings().loadMessages)
        notify("window/showMessage", json{{"type", 1}, {"message", "heaplens: cannot load " + name + ": " + message}});
      json data = {{"path", path}};
      if (e.offset) data["offset"] = *e.offset;
      finish(std::nullopt, ResponseError(ErrorCode::RequestFailed, message, data));
    } catch (const std::exception& e) {
      // bad_alloc and friends: the load fails, the server and the previous state stay.
      releaseFreedMemory();
      progress.end(std::string("Failed: ") + e.what());
      finish(std::nullopt, ResponseError(ErrorCode::RequestFailed, "loading " + path + " failed: " + e.what(),
                                         json{{"path", path}}));
    }
  });
}

void Server::compareWithBaseline(Dump& target, const std::string& baselinePath, const LoadOptions& options,
                                 const TaskContext& ctx) {
  // The baseline as it is loaded already, else read for this comparison only (and freed after it).
  std::shared_ptr<const Dump> base;
  for (const auto& loaded : store_.dumps())
    if (loaded->dump().path == baselinePath) base = loaded->shared();
  if (!base) {
    LoadOptions baseOptions;
    baseOptions.maxMemory = options.maxMemory;
    baseOptions.locateFile = options.locateFile;
    try {
      base = shareDump(loadDump(baselinePath, baseOptions, ctx));
    } catch (const LoadError& e) {
      throw LoadError("cannot read the baseline " + baselinePath + ": " + loadErrorText(e));
    }
  }
  try {
    target.growth = compareDumps(*base, target, {}, ctx);
  } catch (const std::invalid_argument& e) {
    throw LoadError(std::string("cannot compare: ") + e.what());
  }
}

void Server::notifyDumpsChanged() { notify(protocol::kDumpsChangedNotification, json(store_.summary())); }

void Server::unloadDump(const std::string& path) {
  // Freeing a model (and returning its memory) takes a while: not on the request thread.
  if (auto gone = store_.unload(path)) boost::asio::post(pool_, [gone = std::move(gone)]() mutable { gone.reset(); });
  notifyDumpsChanged();
  updateIndexHints();
  afterDumpsChanged();
}

void Server::updateIndexHints() {
  // The files the loaded dumps record: the workspace scan enters skipped directories they name.
  std::vector<std::string> paths;
  for (const auto& loaded : store_.dumps()) {
    const SiteTable& t = *loaded->dump().sites;
    std::unordered_set<StringId> seen;
    for (const SourceLocation& loc : t.locations)
      if (seen.insert(loc.file).second) paths.emplace_back(t.str(loc.file));
  }
  workspace_.setRecordedPaths(paths);
}

void Server::publishDiagnostics(std::vector<Document> docs) {
  if (docs.empty()) return;
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  std::vector<std::pair<Document, uint64_t>> work;
  {
    std::lock_guard lock(diagMutex_);
    for (auto& d : docs) work.emplace_back(std::move(d), ++diagGeneration_[d.uri]);
  }
  boost::asio::post(pool_, [this, ctx = std::move(ctx), keep, work = std::move(work)] {
    for (const auto& [doc, generation] : work) sendDiagnostics(ctx, doc, generation);
  });
}

void Server::sendDiagnostics(const FeatureContext& ctx, const Document& doc, uint64_t generation) {
  json diagnostics = json::array();
  try {
    diagnostics = getDiagnostics(ctx, doc);
  } catch (const std::exception& e) {
    log("diagnostics for " + doc.uri + " failed: " + e.what());
  }
  std::lock_guard lock(diagMutex_);
  // Sending under the lock keeps a newer generation from overtaking this one on the wire.
  if (diagGeneration_[doc.uri] != generation) return;
  if (diagnostics.empty()) published_.erase(doc.uri);
  else published_.insert(doc.uri);
  json params = {{"uri", doc.uri}, {"diagnostics", std::move(diagnostics)}};
  if (doc.version) params["version"] = doc.version;
  notify("textDocument/publishDiagnostics", std::move(params));
}

void Server::publishWorkspaceDiagnostics() {
  std::vector<Document> open = workspace_.documents();
  std::shared_ptr<const SourceMap> keep;
  auto ctx = featureContext(keep);
  // Every open document, then the workspace files with the most heap attributed to them (read from
  // disk), at most maxDiagnosticFiles, so the Problems list shows findings without opening files;
  // files that had findings and have none now are cleared.
  boost::asio::post(pool_, [this, ctx = std::move(ctx), keep, open = std::move(open)] {
    std::set<std::string> openUris;
    std::vector<Document> docs = open;
    for (const Document& d : open) openUris.insert(d.uri);
    std::map<std::string, uint64_t> weight;  // local path -> bytes attributed
    if (ctx.sourceMap)
      for (const auto& loaded : ctx.dumps)
        for (const auto& [path, lines] : loaded->sources(*ctx.sourceMap)->byFile)
          for (const LineEntry& e : lines) weight[path] += e.retains() ? e.stats.retainedBytes : e.stats.shallowBytes;
    std::vector<std::pair<uint64_t, std::string>> ranked;
    for (const auto& [path, w] : weight) ranked.emplace_back(w, path);
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    size_t added = 0;
    for (const auto& [w, path] : ranked) {
      if (added >= ctx.settings.maxDiagnosticFiles) break;
      const std::string uri = pathToUri(path);
      if (openUris.count(uri)) continue;
      docs.push_back(documentFor(uri));
      openUris.insert(uri);
      ++added;
    }
    std::vector<std::string> stale;
    std::vector<std::pair<Document, uint64_t>> work;
    {
      std::lock_guard lock(diagMutex_);
      for (const std::string& uri : published_)
        if (!openUris.count(uri)) stale.push_back(uri);
      for (const std::string& uri : stale) {
        ++diagGeneration_[uri];
        published_.erase(uri);
        notify("textDocument/publishDiagnostics", json{{"uri", uri}, {"diagnostics", json::array()}});
      }
      for (auto& d : docs) work.emplace_back(std::move(d), ++diagGeneration_[d.uri]);
    }
    for (const auto& [doc, generation] : work) sendDiagnostics(ctx, doc, generation);
  });
}

void Server::afterDumpsChanged() {
  publishWorkspaceDiagnostics();
  // Open editors update without being reopened, in clients that let the server ask.
  if (clientCodeLensRefresh_) (void)call("workspace/codeLens/refresh", nullptr);
  if (clientInlayHintRefresh_) (void)call("workspace/inlayHint/refresh", nullptr);
}

}  // namespace heaplens::lsp
