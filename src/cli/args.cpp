#include "args.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

#include "base/units.hpp"

namespace wif::cli {

namespace {

// Flags per command; switches take no value.
const std::map<std::string, std::set<std::string>> kFlags = {
    {"ask", {"json", "units", "catalog-dir"}},
    {"infer", {"json", "model", "hf-config", "params", "quant", "device", "memory", "device-kind", "count", "ctx", "batch",
               "ubatch", "kv-type", "engine", "flash-attn", "ram", "wired-limit-mb", "reserve", "gpu-util", "units",
               "catalog-dir"}},
    {"list", {"json", "catalog-dir"}},
    {"sweep", {"json", "ctx", "catalog-dir"}},
};
const std::set<std::string> kSwitches = {"json"};

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

}  // namespace

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
        return make_error("usage", "unknown command \"" + a.command + "\" (ask, infer, list, sweep; see willitfit --help)");
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

Expected<Request> infer_request(const Args& a, std::string (*read_file)(const std::string&, bool&)) {
    if (!a.positional.empty()) {
        return make_error("usage", "infer takes only --flags; unexpected \"" + a.positional[0] + "\"");
    }
    Json r = Json::object();
    auto text = [&](const char* flag, const char* key) {
        if (auto it = a.flags.find(flag); it != a.flags.end()) r[key] = it->second;
    };
    text("model", "model");
    text("params", "params");
    text("quant", "quant");
    text("device", "device");
    text("memory", "memory");
    text("device-kind", "device_kind");
    text("kv-type", "kv_type");
    text("engine", "engine");
    text("flash-attn", "flash_attn");
    text("ram", "ram");
    text("reserve", "reserve");
    text("units", "units");
    if (auto it = a.flags.find("hf-config"); it != a.flags.end()) {
        bool ok = false;
        std::string content = read_file(it->second, ok);
        if (!ok) return make_error("file_not_found", "--hf-config: cannot read \"" + it->second + "\"");
        r["hf_config"] = content;
    }
    if (auto it = a.flags.find("count"); it != a.flags.end()) {
        Expected<std::int64_t> v = parse_integer(it->second, "count", 1, 64);
        if (!v) return v.error();
        r["count"] = v.value();
    }
    if (auto it = a.flags.find("batch"); it != a.flags.end()) {
        Expected<std::int64_t> v = parse_integer(it->second, "batch", 1, 4096);
        if (!v) return v.error();
        r["batch"] = v.value();
    }
    if (auto it = a.flags.find("ubatch"); it != a.flags.end()) {
        Expected<std::int64_t> v = parse_integer(it->second, "ubatch", 1, 65536);
        if (!v) return v.error();
        r["ubatch"] = v.value();
    }
    if (auto it = a.flags.find("ctx"); it != a.flags.end()) {
        Expected<std::int64_t> v = parse_tokens(it->second, "ctx");
        if (!v) return v.error();
        if (v.value() < 1) return make_error("invalid_argument", "--ctx must be at least 1 token");
        r["ctx"] = v.value();
    }
    if (auto it = a.flags.find("wired-limit-mb"); it != a.flags.end()) {
        Expected<double> v = parse_real(it->second, "wired-limit-mb", 1, 1e8);
        if (!v) return v.error();
        r["wired_limit_mb"] = v.value();
    }
    if (auto it = a.flags.find("gpu-util"); it != a.flags.end()) {
        Expected<double> v = parse_real(it->second, "gpu-util", 0.01, 1);
        if (!v) return v.error();
        r["gpu_memory_utilization"] = v.value();
    }
    return request_from_json(r);
}

}  // namespace wif::cli
