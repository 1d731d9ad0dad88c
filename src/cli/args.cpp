#include "args.hpp"
#include "read_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "base/units.hpp"

namespace wif::cli {

namespace {

std::string snake(std::string flag) {
    for (char& c : flag) c = c == '-' ? '_' : c;
    return flag;
}

// infer's flags: every request field that has one (request/schema.hpp), and the output options.
std::set<std::string> infer_flags() {
    std::set<std::string> flags = {"json", "catalog-dir", "gguf", "safetensors"};
    for (const FieldSpec& f : kRequestFields) {
        if (f.flag[0] != '\0' && std::string_view(f.flag) != "intent") flags.insert(f.flag);
    }
    return flags;
}

// Flags per command; switches take no value.
// train's flags: the model and hardware fields, and the training options (training_request.cpp).
std::set<std::string> train_flags() {
    return {"json", "catalog-dir", "gguf", "safetensors", "model", "hf-config", "params", "device", "memory", "device-kind", "count", "units",
            "method", "optimizer", "precision", "batch", "seq", "checkpointing", "attention", "lora-rank", "lora-targets",
            "zero", "offload-optimizer", "tokens", "mfu", "price", "outlet-watts", "chunked-loss", "reserve"};
}

const std::map<std::string, std::set<std::string>> kFlags = {
    {"ask", {"json", "units", "catalog-dir"}},
    {"infer", infer_flags()},
    {"serve", infer_flags()},
    {"fit", [] { auto f = infer_flags(); f.insert("min-speed"); return f; }()},
    {"train", train_flags()},
    {"inspect", {"json"}},
    {"validate", {"json", "points", "catalog-dir", "bands"}},
    {"list", {"json", "catalog-dir"}},
    {"sweep", {"json", "ctx", "catalog-dir"}},
};
const std::set<std::string> kSwitches = {"json", "offload-optimizer", "chunked-loss", "checkpointing", "bands"};

std::string flag_list(const std::set<std::string>& flags) {
    std::string out;
    for (const std::string& f : flags) out += (out.empty() ? "--" : ", --") + f;
    return out;
}

Expected<std::int64_t> parse_integer(const std::string& text, const std::string& flag, std::int64_t min, std::int64_t max) {
    const char* begin = text.c_str();
    char* end = nullptr;
    const long long v = std::strtoll(begin, &end, 10);
    if (end == begin || *end != '\0' || v < min || v > max) {
        return make_error("invalid_argument", "--" + flag + " \"" + text + "\": expected a whole number from " +
                                                  std::to_string(min) + " to " + std::to_string(max));
    }
    return static_cast<std::int64_t>(v);
}

}  // namespace

Expected<double> parse_real(const std::string& text, const std::string& flag, double min, double max) {
    const char* begin = text.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin || *end != '\0' || !std::isfinite(v) || v < min || v > max) {
        return make_error("invalid_argument", "--" + flag + " \"" + text + "\": expected a number from " +
                                                  format_sig3(min) + " to " + format_sig3(max));
    }
    return v;
}

Expected<std::int64_t> parse_tokens(const std::string& text, const std::string& flag) {
    const char* begin = text.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    std::string unit = to_lower(std::string(end));
    double scale = unit.empty() ? 1 : (unit == "k" ? 1024 : 0);
    if (end == begin || scale == 0 || !std::isfinite(v) || v < 0 || v * scale > static_cast<double>(kMaxContext) || v * scale != std::floor(v * scale)) {
        return make_error("invalid_argument", "--" + flag + " \"" + text + "\": expected a whole number such as 8192 or 8k (at most 16M)");
    }
    return static_cast<std::int64_t>(v * scale);
}

Expected<Args> parse_args(int argc, const char* const* argv) {
    Args a;
    if (argc < 2) {
        a.command = "help";
        return a;
    }
    a.command = argv[1];
    if (a.command == "--help" || a.command == "-h" || a.command == "help") {
        a.command = "help";
        return a;
    }
    if (a.command == "--version" || a.command == "version") {
        a.command = "version";
        return a;
    }
    const auto allowed = kFlags.find(a.command);
    if (allowed == kFlags.end()) {
        return make_error("usage", "unknown command \"" + a.command + "\" (ask, infer, train, serve, fit, inspect, validate, list, sweep; see willitfit --help)");
    }
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            a.command = "help";
            return a;
        }
        if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
            a.positional.push_back(arg);
            continue;
        }
        std::string name = arg.substr(2), value;
        const size_t eq = name.find('=');
        const bool inline_value = eq != std::string::npos;
        if (inline_value) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (!allowed->second.count(name)) {
            return make_error("usage", "willitfit " + a.command + " does not take --" + name + " (it takes " +
                                           flag_list(allowed->second) + ")");
        }
        if (kSwitches.count(name)) {
            if (inline_value) return make_error("usage", "--" + name + " takes no value");
        } else if (!inline_value) {
            if (i + 1 >= argc) return make_error("usage", "--" + name + " needs a value");
            value = argv[++i];
        }
        if (a.flags.count(name)) return make_error("usage", "--" + name + " is given twice");
        a.flags[name] = value;
    }
    a.json = a.flags.count("json") > 0;
    return a;
}

Expected<Request> infer_request(const Args& a) {
    Expected<Json> r = request_json(a);
    if (!r) return r.error();
    return request_from_json(r.value());
}

Expected<Request> train_request(const Args& a) {
    Expected<Json> r = request_json(a);
    if (!r) return r.error();
    // Training flags go into the training object with the same names (--lora-rank is lora_rank).
    Json t = Json::object();
    for (const auto& [flag, value] : a.flags) {
        if (find_field(snake(flag)) || flag == "json" || flag == "catalog-dir" || flag == "gguf" || flag == "safetensors") continue;
        if (kSwitches.count(flag)) {
            t[snake(flag)] = true;
            continue;
        }
        if (flag == "checkpointing" && (value == "true" || value == "false")) {
            t["checkpointing"] = value == "true";
            continue;
        }
        // Numbers stay numbers so the reader checks their ranges; words and lists stay text.
        const char* begin = value.c_str();
        char* end = nullptr;
        const double v = std::strtod(begin, &end);
        const bool number = end != begin && *end == '\0' && std::isfinite(v) && flag != "lora-targets";
        if (number && v == std::floor(v) && std::fabs(v) < 9e15) t[snake(flag)] = static_cast<std::int64_t>(v);
        else if (number) t[snake(flag)] = v;
        else t[snake(flag)] = value;
    }
    // --batch and --seq are the run's: they belong to the training options.
    for (const char* key : {"batch"}) {
        if (r.value().contains(key)) {
            t[key] = r.value()[key];
            r.value().erase(key);
        }
    }
    r.value()["intent"] = "training";
    r.value()["training"] = t;
    return request_from_json(r.value());
}

Expected<Json> request_json(const Args& a) {
    if (!a.positional.empty()) {
        return make_error("usage", a.command + " takes only --flags; unexpected \"" + a.positional[0] + "\"");
    }
    // Each flag is the schema field of the same name; numbers are checked against its range here
    // so the message names the flag, and the same request_from_json as the page's reads the rest.
    Json r = Json::object();
    for (const FieldSpec& spec : kRequestFields) {
        if (spec.flag[0] == '\0') continue;
        const auto it = a.flags.find(spec.flag);
        if (it == a.flags.end()) continue;
        const std::string& value = it->second;
        switch (spec.kind) {
            case FieldKind::integer: {
                if (std::string_view(spec.key) == "n_cpu_moe" && to_lower(value) == "all") {
                    r[spec.key] = -1;  // --n-cpu-moe all: llama.cpp's --cpu-moe
                    break;
                }
                Expected<std::int64_t> v = parse_integer(value, spec.flag, static_cast<std::int64_t>(spec.min), static_cast<std::int64_t>(spec.max));
                if (!v) return v.error();
                r[spec.key] = v.value();
                break;
            }
            case FieldKind::number: {
                Expected<double> v = parse_real(value, spec.flag, std::max(spec.min, 1e-9), spec.max);
                if (!v) return v.error();
                r[spec.key] = v.value();
                break;
            }
            case FieldKind::tokens: {
                Expected<std::int64_t> v = parse_tokens(value, spec.flag);
                if (!v) return v.error();
                if (v.value() < static_cast<std::int64_t>(std::max(spec.min, 1.0)) && std::string_view(spec.key) == "ctx") {
                    return make_error("invalid_argument", "--" + std::string(spec.flag) + " must be at least 1 token");
                }
                r[spec.key] = v.value();
                break;
            }
            case FieldKind::file: {
                // Bounded: a config.json is a few KB; /dev/zero or a model file is refused, not read.
                Expected<std::string> content = read_bounded(value, kMaxConfigBytes);
                if (!content) return Error{content.error().code, "--" + std::string(spec.flag) + ": " + content.error().message};
                r[spec.key] = std::move(content.value());
                break;
            }
            default:
                r[spec.key] = value;
        }
    }
    return r;
}

}  // namespace wif::cli
