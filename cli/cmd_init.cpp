// racecheck init: a starting spec from the service's OpenAPI document
// (harness/openapi_spec.h), or a commented template without one.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/run_cli.h"
#include "harness/exit_codes.h"
#include "harness/openapi_spec.h"
#include "harness/spec.h"

namespace racecheck {

namespace {

// The spec of a bank-shaped service; each "$comment" says what to change.
constexpr const char* kTemplateSpec = R"({
  "$comment": "A racecheck spec template (docs/spec.md). Replace every path, body and status with your service's; each $comment says what the part is for.",
  "name": "my service",
  "base_urls": ["http://127.0.0.1:8080"],
  "headers": {"Accept": "application/json"},
  "idempotency_header": "Idempotency-Key",
  "accounts": {
    "$comment": "How one account is created before each trial; capture its id (and the balance the service reports) from the response.",
    "count": 1,
    "initial_balance": 100,
    "setup": [
      {
        "name": "create account",
        "method": "POST",
        "path": "/accounts",
        "body": {"balance": "{initial_balance}"},
        "expect_status": 201,
        "capture": {"id": "/id", "opening_balance": "/balance"}
      }
    ],
    "id": "{id}",
    "balance_variable": "opening_balance"
  },
  "operations": {
    "withdraw": {
      "$comment": "{account} is the captured id, {amount} the generated amount. A refusal for lack of money must be labelled insufficient-funds.",
      "method": "POST",
      "path": "/accounts/{account}/withdraw",
      "body": {"amount": "{amount}"},
      "idempotency": "optional",
      "classify": [
        {"status": [200, 299], "outcome": "ok"},
        {"status": 409, "body": {"pointer": "/error", "equals": "insufficient_funds"}, "outcome": "fail", "error": "insufficient-funds"},
        {"status": 409, "outcome": "fail", "error": "key-in-flight"},
        {"status": 422, "outcome": "fail", "error": "key-reused"},
        {"status": 404, "outcome": "fail", "error": "not-found"},
        {"status": "5xx", "outcome": "info", "error": "server-error"}
      ],
      "extract": {"balance": "/balance"},
      "volatile": ["/request_id"]
    },
    "deposit": {
      "$comment": "Without keys (idempotency none); give it the key refusals of withdraw to send keys.",
      "method": "POST",
      "path": "/accounts/{account}/deposit",
      "body": {"amount": "{amount}"},
      "idempotency": "none",
      "classify": [{"status": [200, 299], "outcome": "ok"}, {"status": 404, "outcome": "fail", "error": "not-found"},
                   {"status": "5xx", "outcome": "info", "error": "server-error"}],
      "extract": {"balance": "/balance"}
    },
    "read": {
      "$comment": "The final read: its response must hold the balance.",
      "method": "GET",
      "path": "/accounts/{account}",
      "classify": [
        {"status": 200, "outcome": "ok"},
        {"status": 404, "outcome": "fail", "error": "not-found"},
        {"status": "5xx", "outcome": "info", "error": "server-error"}
      ],
      "extract": {"balance": "/balance"}
    }
  },
  "final_read": {"operation": "read", "instance": 0},
  "model": "account",
  "generator": {
    "$comment": "One trial is a burst of 2-8 clients; a run stops after trials or budget_s, whichever comes first.",
    "clients": [2, 8],
    "ops_per_client": [1, 3],
    "op_mix": {"withdraw": 6, "deposit": 2, "read": 1},
    "amount": [1, 100],
    "trials": 200,
    "budget_s": 30
  }
}
)";

struct InitArgs {
  std::string openapi;
  InitOperations operations;
  bool template_only = false;
  std::string output;
  bool force = false;
};

int write_spec(const InitArgs& args, const std::string& text) {
  if (args.output.empty() || args.output == "-") {
    std::cout << text << std::flush;
    return exit_code::kOk;
  }
  std::error_code ec;
  if (!args.force && std::filesystem::exists(args.output, ec))
    throw CLI::ValidationError("-o", args.output + ": exists; pass --force to replace it");
  std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "racecheck: -o " << args.output << ": cannot be written\n";
    return exit_code::kUsage;
  }
  std::cout << "wrote " << args.output << "\n";
  return exit_code::kOk;
}

int run_init(const InitArgs& args) {
  if (args.template_only) {
    if (!args.openapi.empty()) throw CLI::ValidationError("--template", "takes no OpenAPI document");
    return write_spec(args, kTemplateSpec);
  }
  if (args.openapi.empty())
    throw CLI::ValidationError("init", "name an OpenAPI document (YAML or JSON), or pass --template");
  const OpenApiDocument doc = OpenApiDocument::from_file(args.openapi);
  nlohmann::ordered_json spec;
  try {
    spec = spec_from_openapi(doc, args.operations);
  } catch (const InitOperationError& e) {
    throw CLI::ValidationError("--" + e.role, e.what());
  }
  const std::string text = spec.dump(2) + "\n";
  // The generated spec must load as it is; a document that leads to one that
  // does not is reported here, not at the first `racecheck run`.
  const std::string shown_name = args.output.empty() || args.output == "-" ? "the generated spec" : args.output;
  const Spec loaded = parse_spec_text(text, shown_name);
  for (const auto& warning : loaded.warnings) std::cerr << "warning: " << warning << "\n";
  return write_spec(args, text);
}

}  // namespace

void add_init_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("init", "write a starting spec from an OpenAPI 3 document (or --template)");
  auto args = std::make_shared<InitArgs>();
  cmd->add_option("openapi", args->openapi, "the service's OpenAPI 3.0/3.1 document, YAML or JSON");
  cmd->add_option("--withdraw", args->operations.withdraw, "the withdrawal, \"METHOD /path\", e.g. \"POST /accounts/{id}/withdraw\"");
  cmd->add_option("--deposit", args->operations.deposit, "the deposit, \"METHOD /path\"");
  cmd->add_option("--read", args->operations.read, "the balance read, \"METHOD /path\", e.g. \"GET /accounts/{id}\"");
  cmd->add_option("--setup", args->operations.setup, "the request creating an account, e.g. \"POST /accounts\"");
  cmd->add_flag("--template", args->template_only, "write a commented template spec instead (no OpenAPI document)");
  cmd->add_option("-o,--output", args->output, "the spec file to write (default: standard output)");
  cmd->add_flag("--force", args->force, "replace the -o file if it exists");
  cmd->callback([args, &exit_code] { exit_code = run_guarded([&] { return run_init(*args); }); });
}

}  // namespace racecheck
