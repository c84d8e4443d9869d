#include "harness/openapi_spec.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>
#include <vector>

#include "harness/spec.h"
#include "util/text.h"

namespace racecheck {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

bool contains_text(const std::string& haystack, const std::string& needle) {
  return lower(haystack).find(needle) != std::string::npos;
}

// "insufficient_funds" -> "insufficient-funds": the spelling of error labels.
std::string label_of(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    else if (!out.empty() && out.back() != '-') out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "refused" : out;
}

// The account model treats only the label "insufficient-funds" as a business
// refusal that the balance must justify, so every spelling of it maps there.
bool means_insufficient_funds(const std::string& text) {
  const std::string t = lower(text);
  return t.find("insufficient") != std::string::npos || t.find("not enough") != std::string::npos ||
         t.find("not_enough") != std::string::npos;
}

// A refusal's label from the words of its description, or "" when they say
// nothing racecheck knows: the idempotency oracle reads "key-in-flight" and
// "key-reused" as refusals that did not run, "insufficient-funds" as a
// business refusal.
std::string described_label(const std::string& description) {
  const std::string t = lower(description);
  if (means_insufficient_funds(t)) return "insufficient-funds";
  if (t.find("in flight") != std::string::npos || t.find("in progress") != std::string::npos) return "key-in-flight";
  if (t.find("key") != std::string::npos && (t.find("reused") != std::string::npos || t.find("used with") != std::string::npos))
    return "key-reused";
  return "";
}

std::string status_label(int status) {
  static const std::map<int, std::string> names = {
      {400, "bad-request"}, {401, "unauthorized"}, {402, "payment-required"}, {403, "forbidden"},
      {404, "not-found"},   {409, "conflict"},     {412, "precondition-failed"}, {422, "unprocessable"},
      {423, "locked"},      {429, "rate-limited"}};
  const auto it = names.find(status);
  return it != names.end() ? it->second : "http-" + std::to_string(status);
}

bool schema_has_type(const json& schema, const std::string& type) {
  if (!schema.is_object() || !schema.contains("type")) return false;
  const json& t = schema["type"];
  if (t.is_string()) return t.get<std::string>() == type;
  return t.is_array() && std::find(t.begin(), t.end(), type) != t.end();
}

bool is_number_schema(const json& schema) {
  return schema_has_type(schema, "integer") || schema_has_type(schema, "number");
}

// One role's operation in the document, with everything its template needs.
struct Located {
  std::string method;     // "POST"
  std::string path;       // as the document spells it
  std::string pointer;    // "/paths/~1accounts/post"
  json operation;         // resolved
  std::vector<std::pair<json, std::string>> parameters;  // resolved, with their pointers
};

class Mapper {
 public:
  explicit Mapper(const OpenApiDocument& doc) : doc_(doc) {}

  ordered_json build(const InitOperations& ops);

 private:
  Located locate(const std::string& role, const std::string& method_path) const;
  ordered_json request_template(const std::string& role, const Located& op, std::vector<std::string>& notes);
  ordered_json body_from_schema(const json& schema, const std::string& role, const std::string& where,
                                std::vector<std::string>& notes, int depth) const;
  ordered_json example_value(const json& schema, const std::string& field, std::vector<std::string>& notes) const;
  ordered_json classify(const Located& op, std::vector<std::string>& notes) const;
  json success_schema(const Located& op) const;
  std::string base_url(std::vector<std::string>& notes) const;

  const OpenApiDocument& doc_;
  std::string idempotency_header_;  // the first idempotency header any operation declares
};

Located Mapper::locate(const std::string& role, const std::string& method_path) const {
  static const std::regex form(R"(\s*([A-Za-z]+)\s+(/\S*)\s*)");
  std::smatch m;
  if (!std::regex_match(method_path, m, form))
    throw InitOperationError(role, "\"" + method_path + "\": expected \"METHOD /path\", e.g. \"POST /accounts/{id}/withdraw\"");
  Located op;
  op.method = m[1].str();
  std::transform(op.method.begin(), op.method.end(), op.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const std::string wanted = m[2].str();
  // Parameter names may differ from the document's: "/accounts/{account}" finds "/accounts/{id}".
  static const std::regex parameter(R"(\{[^}]*\})");
  const auto shape = [](const std::string& p) { return std::regex_replace(p, parameter, "{}"); };
  const json& paths = doc_.root()["paths"];
  std::string found;
  for (const auto& item : paths.items())
    if (item.key() == wanted || (found.empty() && shape(item.key()) == shape(wanted))) found = item.key();
  if (found.empty())
    throw InitOperationError(role, "\"" + method_path + "\": " + doc_.file() + " has no path " + wanted + " under /paths");
  op.path = found;
  std::string path_pointer = pointer_child("/paths", found);
  const json& path_item = doc_.resolve(paths[found], path_pointer);
  const std::string key = lower(op.method);
  if (!path_item.is_object() || !path_item.contains(key))
    throw InitOperationError(role, "\"" + method_path + "\": " + doc_.file() + " documents no " + op.method + " on " + found);
  op.pointer = path_pointer + "/" + key;
  std::string op_pointer = op.pointer;
  op.operation = doc_.resolve(path_item[key], op_pointer);
  const std::vector<const json*> parameter_lists = {&path_item, &op.operation};
  for (const json* list : parameter_lists) {
    if (!list->contains("parameters")) continue;
    const std::string base = (list == &path_item ? path_pointer : op_pointer) + "/parameters";
    const json& params = (*list)["parameters"];
    if (!params.is_array()) doc_.fail(base, "expected an array of parameters");
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::string p = base + "/" + std::to_string(i);
      const json& param = doc_.resolve(params[i], p);
      if (!param.is_object() || !param.contains("name") || !param["name"].is_string() || !param.contains("in"))
        doc_.fail(p, "a parameter needs \"name\" and \"in\"");
      op.parameters.emplace_back(param, p);
    }
  }
  return op;
}

ordered_json Mapper::example_value(const json& schema, const std::string& field, std::vector<std::string>& notes) const {
  for (const char* key : {"example", "default", "const"})
    if (schema.contains(key)) return schema[key];
  if (schema.contains("examples") && schema["examples"].is_array() && !schema["examples"].empty())
    return schema["examples"][0];
  if (schema.contains("enum") && schema["enum"].is_array() && !schema["enum"].empty()) return schema["enum"][0];
  ordered_json guess;
  if (is_number_schema(schema)) guess = schema.value("minimum", json(1));
  else if (schema_has_type(schema, "boolean")) guess = false;
  else if (schema_has_type(schema, "array")) guess = ordered_json::array();
  else if (schema_has_type(schema, "object")) guess = ordered_json::object();
  else guess = "racecheck";
  notes.push_back(field + ": the document gives no example, default or enum; " + guess.dump() + " is a guess");
  return guess;
}

// The role's argument: the field named "amount" or, failing that, the only numeric one.
std::string amount_field(const json& properties, const std::string& role) {
  const bool setup = role == "setup";
  std::vector<std::string> numeric;
  for (const auto& item : properties.items()) {
    if (!is_number_schema(item.value())) continue;
    const std::string name = lower(item.key());
    if (setup ? name.find("balance") != std::string::npos : name == "amount") return item.key();
    numeric.push_back(item.key());
  }
  return numeric.size() == 1 ? numeric.front() : "";
}

ordered_json Mapper::body_from_schema(const json& schema, const std::string& role, const std::string& where,
                                      std::vector<std::string>& notes, int depth) const {
  if (!schema.is_object() || !schema.contains("properties") || depth > 4) return example_value(schema, where, notes);
  const json& properties = schema["properties"];
  const json required = schema.value("required", json::array());
  const std::string amount = depth == 0 ? amount_field(properties, role) : "";
  ordered_json body = ordered_json::object();
  for (const auto& item : properties.items()) {
    const json& prop = item.value();
    if (prop.is_object() && prop.value("readOnly", false)) continue;
    const std::string field = where + "/" + item.key();
    if (item.key() == amount) {
      body[item.key()] = role == "setup" ? "{initial_balance}" : "{amount}";
      continue;
    }
    const bool is_required = std::find(required.begin(), required.end(), item.key()) != required.end();
    if (!is_required) continue;  // optional fields stay out: the service's defaults apply
    body[item.key()] = body_from_schema(prop, role, field, notes, depth + 1);
  }
  if (depth == 0 && amount.empty() && role != "setup" && role != "read")
    notes.push_back("body: no numeric field named \"amount\"; add \"{amount}\" where the amount goes");
  return body;
}

ordered_json Mapper::request_template(const std::string& role, const Located& op, std::vector<std::string>& notes) {
  ordered_json t;
  t["method"] = op.method;
  std::string path = op.path;
  std::string query;
  bool account_placed = role == "setup";
  for (const auto& [param, pointer] : op.parameters) {
    const std::string name = param["name"].get<std::string>();
    const std::string in = param["in"].is_string() ? param["in"].get<std::string>() : "";
    const bool required = param.value("required", false);
    if (in == "path") {
      const std::string placeholder = "{" + name + "}";
      const auto at = path.find(placeholder);
      if (at == std::string::npos) continue;
      if (!account_placed) {
        path.replace(at, placeholder.size(), "{account}");
        account_placed = true;
      } else {
        const json schema = param.contains("schema") ? doc_.flatten_schema(param["schema"], pointer + "/schema") : json::object();
        const ordered_json value = example_value(schema, "path parameter " + name, notes);
        path.replace(at, placeholder.size(), value.is_string() ? value.get<std::string>() : value.dump());
      }
    } else if (in == "header" && contains_text(name, "idempot")) {
      if (idempotency_header_.empty()) idempotency_header_ = name;
      t["idempotency"] = required ? "required" : "optional";
    } else if (required && in == "query") {
      const json schema = param.contains("schema") ? doc_.flatten_schema(param["schema"], pointer + "/schema") : json::object();
      const ordered_json value = example_value(schema, "query parameter " + name, notes);
      query += (query.empty() ? "?" : "&") + name + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
    } else if (required && in == "header") {
      notes.push_back("header " + name + " is required: add it under \"headers\" (a secret under \"secrets\")");
    }
  }
  t["path"] = path + query;
  if (!t.contains("idempotency") && op.method != "GET") t["idempotency"] = "none";
  if (op.operation.contains("requestBody")) {
    std::string p = op.pointer + "/requestBody";
    const json& request_body = doc_.resolve(op.operation["requestBody"], p);
    const json content = request_body.value("content", json::object());
    std::string media;
    for (const auto& item : content.items())
      if (media.empty() && (item.key() == "application/json" || contains_text(item.key(), "+json"))) media = item.key();
    if (media.empty()) {
      if (!content.empty() || request_body.value("required", false))
        notes.push_back("the request body is not JSON (racecheck sends JSON): write \"body\" by hand");
    } else if (content[media].contains("schema")) {
      const json schema = doc_.flatten_schema(content[media]["schema"], pointer_child(p + "/content", media) + "/schema");
      t["body"] = body_from_schema(schema, role, "body", notes, 0);
    }
  }
  return t;
}

json Mapper::success_schema(const Located& op) const {
  if (!op.operation.contains("responses") || !op.operation["responses"].is_object()) return json::object();
  for (const auto& item : op.operation["responses"].items()) {
    if (item.key().empty() || item.key()[0] != '2') continue;
    std::string p = pointer_child(op.pointer + "/responses", item.key());
    const json& response = doc_.resolve(item.value(), p);
    if (!response.is_object() || !response.contains("content")) continue;
    for (const auto& media : response["content"].items())
      if (media.value().is_object() && media.value().contains("schema"))
        return doc_.flatten_schema(media.value()["schema"], pointer_child(p + "/content", media.key()) + "/schema");
  }
  return json::object();
}

// The property (at most one level down, e.g. Stripe's /error/code) whose
// string enum names each refusal: one rule per value.
std::pair<std::string, json> refusal_codes(const json& schema) {
  static const std::vector<std::string> names = {"error", "code", "type", "reason", "error_code"};
  if (!schema.is_object() || !schema.contains("properties")) return {};
  for (const auto& item : schema["properties"].items()) {
    const json& prop = item.value();
    if (!prop.is_object()) continue;
    if (std::find(names.begin(), names.end(), lower(item.key())) != names.end() && prop.contains("enum") &&
        prop["enum"].is_array() && !prop["enum"].empty())
      return {"/" + item.key(), prop["enum"]};
    if (prop.contains("properties")) {
      auto [pointer, values] = refusal_codes(prop);
      if (!pointer.empty()) return {"/" + item.key() + pointer, values};
    }
  }
  return {};
}

ordered_json Mapper::classify(const Located& op, std::vector<std::string>& notes) const {
  ordered_json rules = ordered_json::array();
  rules.push_back({{"status", {200, 299}}, {"outcome", "ok"}});
  const json responses = op.operation.value("responses", json::object());
  bool documented_success = false;
  std::map<int, std::pair<json, std::string>> refusals;  // status -> (response, pointer), in status order
  for (const auto& item : responses.items()) {
    const std::string& code = item.key();
    if (code[0] == '2') documented_success = true;
    if (code.size() == 3 && code[0] == '4' && std::isdigit(static_cast<unsigned char>(code[1]))) {
      std::string p = pointer_child(op.pointer + "/responses", code);
      refusals[std::stoi(code)] = {doc_.resolve(item.value(), p), p};
    } else if (code == "4XX" || code == "4xx") {
      notes.push_back("responses/4XX: every other 4xx is classified as a refusal without effect (\"client-error\")");
    } else if (code == "default") {
      notes.push_back("responses/default: statuses the document does not list are recorded as info \"unclassified\"");
    }
  }
  if (!documented_success) notes.push_back("no 2xx response is documented: [200, 299] is taken as success");
  for (const auto& [status, entry] : refusals) {
    const auto& [response, pointer] = entry;
    const std::string description = response.is_object() ? response.value("description", "") : "";
    json schema = json::object();
    if (response.is_object() && response.contains("content"))
      for (const auto& media : response["content"].items())
        if (schema.empty() && media.value().is_object() && media.value().contains("schema"))
          schema = doc_.flatten_schema(media.value()["schema"], pointer_child(pointer + "/content", media.key()) + "/schema");
    const auto [code_pointer, codes] = refusal_codes(schema);
    for (const json& code : codes) {
      const std::string text = code.is_string() ? code.get<std::string>() : code.dump();
      rules.push_back({{"status", status},
                       {"body", {{"pointer", code_pointer}, {"equals", code}}},
                       {"outcome", "fail"},
                       {"error", means_insufficient_funds(text) ? "insufficient-funds" : label_of(text)}});
    }
    // With one rule per code, the description speaks of them all, not of the rest.
    const std::string described = codes.empty() && status != 429 ? described_label(description) : "";
    ordered_json rule = {{"status", status}, {"outcome", "fail"}, {"error", described.empty() ? status_label(status) : described}};
    if (status == 401 || status == 403)
      notes.push_back("a " + std::to_string(status) + " means the request was not authorized: set credentials under \"secrets\"");
    rules.push_back(rule);
  }
  if (responses.contains("4XX") || responses.contains("4xx"))
    rules.push_back({{"status", {400, 499}}, {"outcome", "fail"}, {"error", "client-error"}});
  rules.push_back({{"status", "5xx"}, {"outcome", "info"}, {"error", "server-error"}});
  return rules;
}

std::string Mapper::base_url(std::vector<std::string>& notes) const {
  const json& root = doc_.root();
  const std::string fallback = "http://127.0.0.1:8080";
  if (!root.contains("servers") || !root["servers"].is_array() || root["servers"].empty() ||
      !root["servers"][0].is_object() || !root["servers"][0].contains("url") || !root["servers"][0]["url"].is_string()) {
    notes.push_back("base_urls: the document names no server; pass --target URL to `racecheck run`");
    return fallback;
  }
  const json& server = root["servers"][0];
  std::string url = server["url"].get<std::string>();
  const json variables = server.value("variables", json::object());
  for (const auto& item : variables.items()) {
    const std::string placeholder = "{" + item.key() + "}";
    const std::string value = item.value().is_object() ? item.value().value("default", "") : "";
    for (auto at = url.find(placeholder); at != std::string::npos; at = url.find(placeholder))
      url.replace(at, placeholder.size(), value);
  }
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    notes.push_back("base_urls: the server URL \"" + url + "\" is relative; pass --target URL to `racecheck run`");
    return fallback + (url.rfind('/', 0) == 0 ? url : "");
  }
  if (root["servers"].size() > 1) notes.push_back("base_urls: the first of the document's servers; --target URL picks another");
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// The first numeric property named like a balance, as a JSON pointer ("" if none).
std::string balance_pointer(const json& schema) {
  if (!schema.is_object() || !schema.contains("properties")) return "";
  for (const auto& item : schema["properties"].items())
    if (is_number_schema(item.value()) && contains_text(item.key(), "balance")) return "/" + item.key();
  return "";
}

// Response fields that legitimately differ between replays of one key.
ordered_json volatile_fields(const json& schema) {
  static const std::regex volatile_name(R"((^|_)(request_?id|at|at_ns|timestamp|time)$|^(created|updated)(_at)?$)",
                                        std::regex::icase);
  ordered_json out = ordered_json::array();
  if (!schema.is_object() || !schema.contains("properties")) return out;
  for (const auto& item : schema["properties"].items())
    if (std::regex_search(item.key(), volatile_name) ||
        (item.value().is_object() && item.value().value("format", "") == "date-time"))
      out.push_back("/" + item.key());
  return out;
}

void add_notes(ordered_json& object, const std::vector<std::string>& notes) {
  if (notes.empty()) return;
  object["$comment"] = notes.size() == 1 ? ordered_json(notes.front()) : ordered_json(notes);
}

ordered_json Mapper::build(const InitOperations& ops) {
  const std::vector<std::pair<std::string, std::string>> roles = {
      {"withdraw", ops.withdraw}, {"deposit", ops.deposit}, {"read", ops.read}};
  if (ops.withdraw.empty() && ops.deposit.empty())
    throw InitOperationError("withdraw", "name at least one of --withdraw and --deposit (\"METHOD /path\")");
  std::vector<std::string> top_notes;
  ordered_json spec;
  spec["$comment"] = nullptr;  // keeps the key first; filled at the end
  const json info = doc_.root().value("info", json::object());
  spec["name"] = info.is_object() ? info.value("title", "service") : "service";
  spec["base_urls"] = {base_url(top_notes)};
  spec["headers"] = {{"Accept", "application/json"}};
  spec["idempotency_header"] = nullptr;

  ordered_json operations = ordered_json::object();
  for (const auto& [role, method_path] : roles) {
    if (method_path.empty()) continue;
    const Located op = locate(role, method_path);
    std::vector<std::string> notes;
    ordered_json t = request_template(role, op, notes);
    t["classify"] = classify(op, notes);
    const json success = success_schema(op);
    const std::string balance = balance_pointer(success);
    if (!balance.empty()) t["extract"] = {{"balance", balance}};
    else if (role == "read") notes.push_back("extract: no numeric balance field in the 2xx response: set \"extract\": {\"balance\": \"/...\"}");
    const ordered_json volatile_list = volatile_fields(success);
    if (!volatile_list.empty() && role != "read") t["volatile"] = volatile_list;
    add_notes(t, notes);
    operations[role] = t;
  }

  ordered_json accounts = {{"count", 1}, {"initial_balance", 100}};
  if (!ops.setup.empty()) {
    const Located op = locate("setup", ops.setup);
    std::vector<std::string> notes;
    ordered_json request = {{"name", "create account"}};
    request.update(request_template("setup", op, notes));
    request.erase("idempotency");
    int expect = 0;
    const json responses = op.operation.value("responses", json::object());
    for (const auto& item : responses.items())
      if (expect == 0 && item.key().size() == 3 && item.key()[0] == '2') expect = std::stoi(item.key());
    if (expect != 0) request["expect_status"] = expect;
    const json created = success_schema(op);
    std::string id_field;
    if (created.is_object() && created.contains("properties"))
      for (const auto& item : created["properties"].items())
        if (id_field.empty() && (item.key() == "id" || contains_text(item.key(), "id"))) id_field = item.key();
    if (id_field.empty()) {
      id_field = "id";
      notes.push_back("capture: the 2xx response documents no id field; \"/id\" is a guess");
    }
    request["capture"] = {{"id", "/" + id_field}};
    const std::string balance = balance_pointer(created);
    if (!balance.empty()) request["capture"]["opening_balance"] = balance;
    add_notes(request, notes);
    accounts["setup"] = ordered_json::array({request});
    accounts["id"] = "{id}";
    if (!balance.empty()) accounts["balance_variable"] = "opening_balance";
  } else {
    accounts["id"] = "{index}";
    accounts["$comment"] = "no --setup: accounts are named 0, 1, ...; each must exist and hold initial_balance before a trial";
  }
  spec["accounts"] = accounts;
  spec["operations"] = operations;
  if (idempotency_header_.empty()) {
    top_notes.push_back("idempotency_header: no operation declares an idempotency key header; keys are not sent");
  } else {
    spec["idempotency_header"] = idempotency_header_;
  }
  if (operations.contains("read")) {
    spec["final_read"] = {{"operation", "read"}, {"instance", 0}};
  } else {
    top_notes.push_back("no --read: conservation needs a final read, so it is not checked");
  }
  spec["model"] = "account";
  ordered_json invariants = {"no-overdraft"};
  if (operations.contains("read")) invariants.push_back("conservation");
  if (!idempotency_header_.empty()) invariants.push_back("idempotency");
  invariants.push_back("linearizability");
  spec["invariants"] = invariants;
  if (doc_.root().contains("components") && doc_.root()["components"].contains("securitySchemes"))
    top_notes.push_back("the document declares securitySchemes: put credentials in \"secrets\" and \"headers\" (docs/spec.md, Secrets)");

  ordered_json mix = ordered_json::object();
  for (const auto& [role, weight] : std::vector<std::pair<std::string, int>>{{"withdraw", 6}, {"deposit", 2}, {"read", 1}})
    if (operations.contains(role)) mix[role] = weight;
  spec["generator"] = {{"clients", {2, 8}}, {"ops_per_client", {1, 3}}, {"op_mix", mix}, {"amount", {1, 100}},
                       {"trials", 200}, {"budget_s", 30}};
  if (idempotency_header_.empty()) spec["generator"]["key_policy"] = {{"none", 1}};
  top_notes.insert(top_notes.begin(), "written by racecheck init from " + doc_.file() + "; check every $comment");
  spec["$comment"] = top_notes;
  return spec;
}

}  // namespace

ordered_json spec_from_openapi(const OpenApiDocument& doc, const InitOperations& operations) {
  Mapper mapper(doc);
  return mapper.build(operations);
}

}  // namespace racecheck
