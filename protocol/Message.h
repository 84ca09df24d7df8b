// Message: JSON-RPC 2.0 message classification, error codes, and the errors handlers throw.
//
// A decoded body is classified once (request, notification, response, or
// invalid with the reason) so the dispatcher never guesses from fields.
// ResponseError is the one place an LSP error is built and serialised.
// ParamsError carries a JSON path and what was expected, so a bad parameter
// becomes "invalid params of textDocument/hover: /params/position/line:
// expected integer"; readers nest paths with ParamsError::within().
//
// Threading: plain values and pure functions.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace heaplens::protocol {

using json = nlohmann::json;

enum class ErrorCode : int {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ServerNotInitialized = -32002,
  UnknownErrorCode = -32001,
  RequestCancelled = -32800,
  ContentModified = -32801,
  ServerCancelled = -32802,
  RequestFailed = -32803,
};

// An error answer to a request; also thrown by handlers to answer with it.
struct ResponseError : std::runtime_error {
  ResponseError(ErrorCode code, const std::string& message, json data = nullptr)
      : std::runtime_error(message), code(code), data(std::move(data)) {}
  ErrorCode code;
  json data;
  json toJson() const;  // {code, message, data?}
};

// A parameter of the wrong shape: path is a JSON pointer relative to what was being read.
struct ParamsError : std::runtime_error {
  ParamsError(std::string path, std::string expected)
      : std::runtime_error(path + ": expected " + expected), path(std::move(path)), expected(std::move(expected)) {}
  std::string path;      // "/position/line"
  std::string expected;  // "integer"
  // The same error seen from one level up: prefix "/<key>".
  ParamsError within(std::string_view key) const;
  ParamsError within(size_t index) const;
};

// "invalid params of textDocument/hover: /params/position/line: expected integer"
ResponseError invalidParams(std::string_view method, const ParamsError& e);

struct Request {
  json id;  // integer or string
  std::string method;
  json params;  // absent -> null
};
struct Notification {
  std::string method;
  json params;
};
struct Response {
  json id;
  std::optional<json> result;
  std::optional<json> error;  // {code, message, data?}
};
// JSON that is not a valid JSON-RPC message; id is the request's id when it could be read, else null.
struct InvalidMessage {
  json id;
  std::string reason;
};
using Message = std::variant<Request, Notification, Response, InvalidMessage>;

Message classify(json body);

json makeResult(const json& id, json result);
json makeError(const json& id, const ResponseError& error);
json makeRequest(const json& id, std::string_view method, json params);
json makeNotification(std::string_view method, json params);

// The one way this program turns JSON into text (wire messages, `report --json`, log lines).
// Strings from a dump need not be UTF-8 (a type name, a path): each invalid byte becomes U+FFFD
// instead of nlohmann's type_error 316, so serialising never throws on content.
std::string toText(const json& j, int indent = -1);

// ---- reading params with paths ----
// Each throws ParamsError with a path relative to `j` (e.g. "/uri") when the field is missing or of
// the wrong type. The opt* variants accept a missing or null field.
const json& requireField(const json& j, std::string_view key, json::value_t type, std::string_view expected);
std::string getString(const json& j, std::string_view key);
std::optional<std::string> optString(const json& j, std::string_view key);
int64_t getInteger(const json& j, std::string_view key);
std::optional<int64_t> optInteger(const json& j, std::string_view key);
uint32_t getUInt32(const json& j, std::string_view key);
std::optional<double> optNumber(const json& j, std::string_view key);
// The object or array at key, or nullptr when missing/null; ParamsError when it has another type.
const json* optObject(const json& j, std::string_view key);
const json* optArray(const json& j, std::string_view key);
// Textual JSON type name for messages ("string", "integer", "null", ...).
std::string typeName(const json& j);
// Reads a field with from_json, adding "/key" to the path of any ParamsError it throws.
template <typename T>
T getAs(const json& j, std::string_view key, std::string_view expected = "object") {
  if (!j.is_object()) throw ParamsError("", "object, got " + typeName(j));
  auto it = j.find(key);
  if (it == j.end()) throw ParamsError("/" + std::string(key), std::string(expected) + ", got nothing");
  try {
    return it->template get<T>();
  } catch (const ParamsError& e) {
    throw e.within(key);
  }
}

}  // namespace heaplens::protocol
