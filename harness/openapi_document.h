// An OpenAPI 3.0/3.1 document read for `racecheck init`: YAML or JSON text as
// one JSON value, with local "$ref"s followed and "allOf" schemas merged.
// Every problem is a SpecError naming the document, the JSON pointer and why.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace racecheck {

class OpenApiDocument {
 public:
  // Reads YAML or JSON (JSON is read as JSON so its errors say line and column).
  static OpenApiDocument from_file(const std::string& path);
  static OpenApiDocument from_text(const std::string& text, const std::string& file_name);

  const nlohmann::json& root() const { return root_; }
  const std::string& file() const { return file_; }

  // The value at `pointer`, following "$ref" chains ("#/components/..."
  // only: a document on the network or another file is refused).
  // `pointer` becomes the pointer of the value finally returned.
  const nlohmann::json& resolve(const nlohmann::json& value, std::string& pointer) const;
  // A schema with its "$ref"s followed and "allOf" merged into one object
  // schema (properties united, required lists joined), nested properties too.
  nlohmann::json flatten_schema(const nlohmann::json& schema, const std::string& pointer) const;

  [[noreturn]] void fail(const std::string& pointer, const std::string& reason) const;

 private:
  OpenApiDocument(nlohmann::json root, std::string file);
  nlohmann::json flatten(const nlohmann::json& schema, const std::string& pointer, int depth) const;
  nlohmann::json root_;
  std::string file_;
};

// "/paths/~1accounts~1{id}" from the unescaped tokens (RFC 6901).
std::string pointer_child(const std::string& pointer, const std::string& token);

}  // namespace racecheck
