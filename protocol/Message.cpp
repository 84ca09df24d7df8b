// Message: JSON-RPC classification and error construction (see Message.h).
#include "protocol/Message.h"

namespace heaplens::protocol {

json ResponseError::toJson() const {
  json e = {{"code", static_cast<int>(code)}, {"message", what()}};
  if (!data.is_null()) e["data"] = data;
  return e;
}

ParamsError ParamsError::within(std::string_view key) const {
  // JSON pointer escaping (RFC 6901) so a key with '/' stays unambiguous.
  std::string k;
  for (char c : key) {
    if (c == '~') k += "~0";
    else if (c == '/') k += "~1";
    else k += c;
  }
  return ParamsError(std::string("/").append(k).append(path), expected);
}

ParamsError ParamsError::within(size_t index) const {
  return ParamsError(std::string("/").append(std::to_string(index)).append(path), expected);
}

ResponseError invalidParams(std::string_view method, const ParamsError& e) {
  return ResponseError(ErrorCode::InvalidParams,
                       "invalid params of " + std::string(method) + ": /params" + e.path + ": expected " + e.expected,
                       json{{"path", "/params" + e.path}, {"expected", e.expected}});
}

std::string typeName(const json& j) {
  switch (j.type()) {
  case json::value_t::null: return "null";
  case json::value_t::boolean: return "boolean";
  case json::value_t::number_integer:
  case json::value_t::number_unsigned: return "integer";
  case json::value_t::number_float: return "number";
  case json::value_t::string: return "string";
  case json::value_t::array: return "array";
  case json::value_t::object: return "object";
  default: return "other";
  }
}

namespace {

bool validId(const json& id) { return id.is_string() || id.is_number_integer() || id.is_number_unsigned(); }

}  // namespace

Message classify(json body) {
  if (!body.is_object()) return InvalidMessage{nullptr, "a JSON-RPC message must be an object, got " + typeName(body)};
  json id = nullptr;
  auto idIt = body.find("id");
  bool hasId = idIt != body.end();
  if (hasId) {
    if (validId(*idIt)) id = *idIt;
    else if (!idIt->is_null()) return InvalidMessage{nullptr, "\"id\" must be an integer or a string, got " + typeName(*idIt)};
  }
  auto version = body.find("jsonrpc");
  if (version == body.end() || *version != "2.0")
    return InvalidMessage{id, "\"jsonrpc\" must be \"2.0\""};

  auto method = body.find("method");
  if (method == body.end()) {
    bool hasResult = body.contains("result");
    bool hasError = body.contains("error");
    if (!hasId) return InvalidMessage{nullptr, "a message needs \"method\" (request or notification) or \"id\" (response)"};
    if (hasResult == hasError) return InvalidMessage{id, "a response needs exactly one of \"result\" and \"error\""};
    Response r{id, std::nullopt, std::nullopt};
    if (hasResult) r.result = std::move(body["result"]);
    else r.error = std::move(body["error"]);
    return r;
  }
  if (!method->is_string()) return InvalidMessage{id, "\"method\" must be a string, got " + typeName(*method)};
  json params = nullptr;
  if (auto p = body.find("params"); p != body.end()) {
    if (!p->is_object() && !p->is_array() && !p->is_null())
      return InvalidMessage{id, "\"params\" must be an object or an array, got " + typeName(*p)};
    params = std::move(*p);
  }
  // An explicit "id": null is not a valid request id; such a message cannot be answered by id.
  if (hasId && id.is_null()) return InvalidMessage{nullptr, "\"id\" must be an integer or a string, got null"};
  if (hasId) return Request{id, method->get<std::string>(), std::move(params)};
  return Notification{method->get<std::string>(), std::move(params)};
}

json makeResult(const json& id, json result) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}};
}

json makeError(const json& id, const ResponseError& error) {
  return json{{"jsonrpc", "2.0"}, {"id", id}, {"error", error.toJson()}};
}

json makeRequest(const json& id, std::string_view method, json params) {
  json m = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  if (!params.is_null()) m["params"] = std::move(params);
  return m;
}

std::string toText(const json& j, int indent) {
  return j.dump(indent, ' ', /*ensure_ascii=*/false, json::error_handler_t::replace);
}

json makeNotification(std::string_view method, json params) {
  json m = {{"jsonrpc", "2.0"}, {"method", method}};
  if (!params.is_null()) m["params"] = std::move(params);
  return m;
}

// ---- params readers ----

namespace {

std::string keyPath(std::string_view key) { return ParamsError("", "").within(key).path; }

const json* lookup(const json& j, std::string_view key) {
  if (!j.is_object()) throw ParamsError("", "object, got " + typeName(j));
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

}  // namespace

const json& requireField(const json& j, std::string_view key, json::value_t type, std::string_view expected) {
  const json* v = lookup(j, key);
  if (!v) throw ParamsError(keyPath(key), std::string(expected) + ", got nothing");
  bool ok = v->type() == type || (type == json::value_t::number_integer && v->is_number_unsigned()) ||
            (type == json::value_t::number_float && v->is_number());
  if (!ok) throw ParamsError(keyPath(key), std::string(expected) + ", got " + typeName(*v));
  return *v;
}

std::string getString(const json& j, std::string_view key) {
  return requireField(j, key, json::value_t::string, "string").get<std::string>();
}

std::optional<std::string> optString(const json& j, std::string_view key) {
  const json* v = lookup(j, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw ParamsError(keyPath(key), "string, got " + typeName(*v));
  return v->get<std::string>();
}

int64_t getInteger(const json& j, std::string_view key) {
  const json& v = requireField(j, key, json::value_t::number_integer, "integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    throw ParamsError(keyPath(key), "integer within 64 bits");
  return v.get<int64_t>();
}

std::optional<int64_t> optInteger(const json& j, std::string_view key) {
  const json* v = lookup(j, key);
  if (!v || v->is_null()) return std::nullopt;
  return getInteger(j, key);
}

uint32_t getUInt32(const json& j, std::string_view key) {
  int64_t v = getInteger(j, key);
  if (v < 0 || v > static_cast<int64_t>(UINT32_MAX)) throw ParamsError(keyPath(key), "integer from 0 to 4294967295, got " + std::to_string(v));
  return static_cast<uint32_t>(v);
}

std::optional<double> optNumber(const json& j, std::string_view key) {
  const json* v = lookup(j, key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_number()) throw ParamsError(keyPath(key), "number, got " + typeName(*v));
  return v->get<double>();
}

const json* optObject(const json& j, std::string_view key) {
  const json* v = lookup(j, key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) throw ParamsError(keyPath(key), "object, got " + typeName(*v));
  return v;
}

const json* optArray(const json& j, std::string_view key) {
  const json* v = lookup(j, key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array()) throw ParamsError(keyPath(key), "array, got " + typeName(*v));
  return v;
}

}  // namespace heaplens::protocol
