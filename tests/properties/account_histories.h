// Test support: account-model histories generated from a sequential run, then given
// random overlapping real-time intervals that keep the run's order valid (every op's
// interval contains its linearization point; points are strictly increasing), so the
// run itself is a witness that the history is correct. Faults are injected on top.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "properties/history.h"

namespace racecheck::testing {

enum class Fault { None, LostUpdate, DoubleEffect, StaleRead, UnjustifiedRefusal };

// Random source: uniform integer in [lo, hi]. Tests pass RapidCheck's generators.
using Rand = std::function<int(int lo, int hi)>;

struct GeneratedHistory {
  std::vector<Event> events;
  std::string faulty_account;  // where the fault was injected
  bool fault_injected = false;
  int info_ops = 0;
};

class AccountHistoryBuilder {
 public:
  explicit AccountHistoryBuilder(Rand rand) : rand_(std::move(rand)) {}

  GeneratedHistory build(Fault fault) {
    GeneratedHistory out;
    const int n_accounts = rand_(1, 3);
    for (int i = 0; i < n_accounts; ++i) accounts_.push_back(n_accounts == 1 ? "" : std::string(1, char('a' + i)));
    // The faulty account gets no info ops: nothing indeterminate can explain the fault away.
    out.faulty_account = accounts_[rand_(0, n_accounts - 1)];
    for (const auto& a : accounts_) {
      balance_[a] = rand_(0, 200);
      simple(a, "open", {{"account", a}, {"balance", balance_[a]}}, "ok", {{"account", a}, {"balance", balance_[a]}});
    }
    const int n_ops = rand_(1, 14);
    const int fault_at = rand_(0, n_ops - 1);
    for (int i = 0; i < n_ops; ++i) {
      const std::string a = accounts_[rand_(0, n_accounts - 1)];
      const bool info_ok = fault == Fault::None || a != out.faulty_account;
      if (fault != Fault::None && i == fault_at && inject(fault, out.faulty_account)) out.fault_injected = true;
      const int kind = rand_(0, 2);
      const int amount = rand_(1, 100);
      if (kind == 2) {
        read(a, balance_[a]);
        continue;
      }
      const bool info = info_ok && rand_(0, 6) == 0;
      const bool keyed = rand_(0, 1) == 1;
      lost_response_ok_ = info_ok;  // a lost first response is indeterminate too
      if (kind == 0) withdraw(a, amount, info, keyed, &out);
      else deposit(a, amount, info, keyed, &out);
    }
    if (fault != Fault::None && !out.fault_injected && inject(fault, out.faulty_account)) out.fault_injected = true;
    for (const auto& a : accounts_) read(a, balance_[a], /*final=*/true);
    std::stable_sort(events_.begin(), events_.end(),
                     [](const Event& x, const Event& y) { return x.time_ns < y.time_ns; });
    for (size_t i = 0; i < events_.size(); ++i) events_[i].index = static_cast<std::int64_t>(i);
    out.events = events_;
    return out;
  }

 private:
  // Each op gets a fresh process; its interval contains the point `now_`.
  std::int64_t next_point() { return now_ += 100; }

  void emit(std::int64_t process, const std::string& type, const std::string& f, json value, std::int64_t t,
            const std::string& key = "", int attempt = 1, int status = 0, const std::string& error = "") {
    Event e;
    e.process = process;
    e.type = type == "invoke" ? EventType::Invoke
             : type == "ok"   ? EventType::Ok
             : type == "fail" ? EventType::Fail
                              : EventType::Info;
    e.f = f;
    e.value = std::move(value);
    e.key = key;
    e.attempt = attempt;
    e.time_ns = t;
    if (e.type != EventType::Invoke) {
      e.status = status;
      e.error = error;
      if (e.type == EventType::Ok) e.body = json{{"balance", e.value.value("balance", json())}}.dump();
      if (e.type == EventType::Fail && status) e.body = json{{"error", error}}.dump();
    }
    events_.push_back(std::move(e));
  }

  // One attempt whose interval contains point p.
  // Invokes at odd offsets, completions at even ones: an invoke never ties with a
  // completion, so real-time precedence is never ambiguous. Neighbours (100 apart)
  // overlap when the half-widths (up to `width`) allow.
  void attempt(const std::string& f, json in, const std::string& type, json out, std::int64_t p,
               const std::string& key = "", int attempt_no = 1, int status = 200, const std::string& error = "") {
    const std::int64_t process = next_process_++;
    emit(process, "invoke", f, std::move(in), p - (2 * rand_(0, width_ / 2) + 1), key, attempt_no);
    emit(process, type, f, std::move(out), p + 2 * rand_(1, width_ / 2), key, attempt_no, type == "info" ? 0 : status,
         error);
  }

  void simple(const std::string& a, const std::string& f, json in, const std::string& type, json out) {
    attempt(f, std::move(in), type, std::move(out), next_point());
  }

  void read(const std::string& a, std::int64_t value, bool final = false) {
    std::int64_t p = next_point();
    if (final) p += 1000;  // after every completion
    const std::int64_t process = next_process_++;
    emit(process, "invoke", "read", {{"account", a}}, final ? p - 1 : p - (2 * rand_(0, width_ / 2) + 1));
    emit(process, "ok", "read", {{"account", a}, {"balance", value}}, p + 2 * rand_(1, width_ / 2), "", 1, 200);
  }

  // A money op; keyed ops sometimes lose their first response and retry (the
  // service replays the one effect), or see a concurrent duplicate refused 409.
  void money_op(const std::string& f, const std::string& a, int amount, bool info, bool keyed, GeneratedHistory* g) {
    const std::int64_t p = next_point();
    const json in = {{"account", a}, {"amount", amount}};
    bool applies = true;
    if (f == "withdraw") applies = balance_[a] >= amount;
    if (info) {
      ++g->info_ops;
      applies = applies && rand_(0, 1) == 1;  // an info op may or may not have taken effect
    }
    if (applies) balance_[a] += f == "withdraw" ? -amount : amount;
    json out = in;
    std::string type = "ok";
    std::string error;
    int status = 200;
    if (info) type = "info", out = nullptr, status = 0, error = "timeout";
    else if (!applies) type = "fail", status = 402, error = "insufficient-funds";
    else out["balance"] = balance_[a];
    const std::string key = keyed ? "k" + std::to_string(next_key_++) : "";
    if (keyed && !info && lost_response_ok_ && rand_(0, 2) == 0) {
      // First attempt's response lost, then the retry gets the replayed response.
      attempt(f, in, "info", nullptr, p - 200, key, 1, 0, "lost-response");
      attempt(f, in, type, out, p, key, 2, status, error);
      return;
    }
    if (keyed && !info && rand_(0, 3) == 0) {
      // A concurrent duplicate refused as in flight: no effect.
      attempt(f, in, "fail", in, p, key, 1, 409, "key-in-flight");
    }
    attempt(f, in, type, out, p, key, 1, status, error);
  }
  void withdraw(const std::string& a, int amount, bool info, bool keyed, GeneratedHistory* g) {
    money_op("withdraw", a, amount, info, keyed, g);
  }
  void deposit(const std::string& a, int amount, bool info, bool keyed, GeneratedHistory* g) {
    money_op("deposit", a, amount, info, keyed, g);
  }

  // The fault's ops overlap nothing else (400 of quiet around them, narrow
  // intervals): no concurrent op can legitimately explain the fault away.
  bool inject(Fault fault, const std::string& a) {
    now_ += 400;
    width_ = 10;
    const bool injected = inject_isolated(fault, a);
    width_ = 150;
    now_ += 400;
    return injected;
  }

  bool inject_isolated(Fault fault, const std::string& a) {
    const std::int64_t bal = balance_[a];
    switch (fault) {
      case Fault::LostUpdate: {
        // Two overlapping withdrawals both read bal and both wrote bal - amount.
        if (bal < 2) return false;
        const int amount = rand_(1, static_cast<int>(bal / 2));
        const std::int64_t p = next_point();
        const json in = {{"account", a}, {"amount", amount}};
        json out = in;
        out["balance"] = bal - amount;
        attempt("withdraw", in, "ok", out, p);
        attempt("withdraw", in, "ok", out, p + 1);
        balance_[a] = bal - amount;
        return true;
      }
      case Fault::DoubleEffect: {
        // A keyed withdrawal executed twice: two different successful responses.
        if (bal < 2) return false;
        const int amount = rand_(1, static_cast<int>(bal / 2));
        const json in = {{"account", a}, {"amount", amount}};
        const std::string key = "k" + std::to_string(next_key_++);
        json out1 = in, out2 = in;
        out1["balance"] = bal - amount;
        out2["balance"] = bal - 2 * amount;
        attempt("withdraw", in, "ok", out1, next_point(), key, 1);
        attempt("withdraw", in, "ok", out2, next_point(), key, 2);
        balance_[a] = bal - 2 * amount;
        return true;
      }
      case Fault::StaleRead: {
        // Change the balance, then read the old value after the change completed.
        const int amount = rand_(1, 100);
        const json in = {{"account", a}, {"amount", amount}};
        json out = in;
        out["balance"] = bal + amount;
        attempt("deposit", in, "ok", out, next_point());
        balance_[a] = bal + amount;
        read(a, bal);  // 100 later, narrow intervals: strictly after the deposit's completion
        return true;
      }
      case Fault::UnjustifiedRefusal: {
        if (bal < 1) return false;
        const int amount = rand_(1, static_cast<int>(std::min<std::int64_t>(bal, 100)));
        const json in = {{"account", a}, {"amount", amount}};
        attempt("withdraw", in, "fail", in, next_point(), "", 1, 402, "insufficient-funds");
        return true;
      }
      case Fault::None: return false;
    }
    return false;
  }

  Rand rand_;
  std::vector<std::string> accounts_;
  std::map<std::string, std::int64_t> balance_;
  std::vector<Event> events_;
  std::int64_t now_ = 1000;
  int width_ = 150;
  bool lost_response_ok_ = true;  // maximal distance of an attempt's invoke/completion from its point
  std::int64_t next_process_ = 0;
  int next_key_ = 0;
};

}  // namespace racecheck::testing
