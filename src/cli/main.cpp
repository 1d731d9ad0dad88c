// willitfit: the estimation core on the command line.
//
//   willitfit ask "<question>" [--json]
//   willitfit infer (--model M | --hf-config F | --params 7B) [--quant Q] (--device D | --memory 24GB) [...] [--json]
//   willitfit list models|devices|quants [--json]
//   willitfit sweep [--json]       every catalog model x device x format (parity and benchmarks)
//
// Exit status: 0 answered (whatever the verdict), 1 the request could not be answered, 2 usage.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "advice/advice.hpp"
#include "advice/sweep.hpp"
#include "present/answer.hpp"
#include "args.hpp"
#include "facts/catalog.hpp"
#include "embedded_catalogs.hpp"

namespace {

using wif::Json;

constexpr const char* kHelp = R"(willitfit - will this model fit on this hardware?

Usage:
  willitfit ask "<question>" [--json] [--units gb|gib]
  willitfit infer (--model ID | --hf-config config.json | --params 7B) [--quant Q4_K_M]
                  (--device ID | --memory 24GB [--device-kind gpu|unified|cpu]) [--count 2]
                  [--ctx 8192] [--batch 1] [--ubatch 512] [--kv-type q8_0] [--engine llama.cpp]
                  [--flash-attn on|off|auto] [--ram 64GB] [--reserve 1GB] [--wired-limit-mb N]
                  [--gpu-util 0.9] [--units gb|gib] [--json]
  willitfit list models|devices|quants [--json]
  willitfit sweep [--ctx 4096] [--json]

Every command takes --catalog-dir DIR to read models.json, devices.json and quants.json from DIR
instead of the copies built into the program.

Examples:
  willitfit ask "7B fp16 on an 8GB RTX 4060?"
  willitfit infer --model llama-3.1-70b --quant Q4_K_M --device rtx-3090 --count 2 --ctx 8192
  willitfit infer --params 13B --device "RTX 4090" --json
)";

std::string read_file(const std::string& path, bool& ok) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        ok = false;
        return {};
    }
    std::ostringstream s;
    s << in.rdbuf();
    ok = static_cast<bool>(in) || in.eof();
    return s.str();
}

int fail(const wif::Error& e, bool json, int status) {
    if (json) {
        std::cout << wif::error_json(e, 2) << "\n";
    } else {
        std::cerr << "willitfit: " << e.message << "\n";
    }
    return status;
}

wif::Expected<wif::Catalog> load(const wif::cli::Args& args) {
    const auto dir = args.flags.find("catalog-dir");
    if (dir == args.flags.end()) return wif::load_catalog(wif::embedded_catalogs());
    std::vector<wif::CatalogText> texts;
    for (const char* name : {"models.json", "devices.json", "quants.json"}) {
        const std::string path = dir->second + "/" + name;
        bool ok = false;
        std::string text = read_file(path, ok);
        if (!ok) return wif::make_error("file_not_found", "cannot read catalog \"" + path + "\"");
        texts.push_back({path, std::move(text)});
    }
    return wif::load_catalog(texts);
}

std::string bytes(const Json& value, wif::Units units) {
    return value.is_number() ? wif::format_bytes(value.get<wif::bytes_t>(), units) : "";
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

// Human-readable rendering of an answer (the JSON form is the contract; this is for people).
void print_answer(const Json& a) {
    const wif::Units u = a.value("units", "gb") == "gib" ? wif::Units::gib : wif::Units::gb;
    if (a.contains("question")) {
        const Json& q = a["question"];
        std::cout << "Understood:";
        for (const Json& line : q["understood"]) std::cout << "\n  - " << line.get<std::string>();
        std::cout << "\n";
        for (const Json& line : q["ambiguities"]) std::cout << "  ! " << line.get<std::string>() << "\n";
        std::cout << "\n";
    }
    std::cout << a["headline"].get<std::string>() << "\n\n";
    for (const Json& line : a["explanation"]) std::cout << "  " << line.get<std::string>() << "\n";
    std::cout << "\nMemory" << (u == wif::Units::gib ? " (GiB units)" : "") << ":\n";
    for (const Json& item : a["memory"]["items"]) {
        std::cout << "  " << pad(item["label"].get<std::string>(), 58) << pad(bytes(item["bytes"], u), 11)
                  << (item["location"] == "host" ? "system RAM" : "") << "\n";
    }
    std::cout << "  " << pad("total", 58) << bytes(a["memory"]["total_bytes"], u) << "\n";
    std::cout << "  " << pad("usable on the device", 58) << bytes(a["usable_bytes"], u) << "\n";
    std::cout << "  layers on the GPU: " << a["gpu_layers"].get<std::int64_t>() << " of " << a["total_layers"].get<std::int64_t>() << "\n";
    if (a["max_context"].get<std::int64_t>() > 0) {
        std::cout << "  largest context that fits: " << wif::format_int(a["max_context"].get<std::int64_t>()) << " tokens\n";
    }
    if (!a["suggestions"].empty()) {
        std::cout << "\nWhat would fit:\n";
        for (const Json& s : a["suggestions"]) std::cout << "  - " << s["text"].get<std::string>() << "\n";
    }
    if (!a["warnings"].empty()) {
        std::cout << "\nWarnings:\n";
        for (const Json& w : a["warnings"]) std::cout << "  - " << w.get<std::string>() << "\n";
    }
    std::cout << "\nAssumptions:\n";
    for (const Json& s : a["assumptions"]) std::cout << "  - " << s.get<std::string>() << "\n";
}

// Prints an answer document (JSON text from the core): as is with --json, rendered otherwise.
int answer(const std::string& text, bool json) {
    const Json result = Json::parse(text, nullptr, false);
    const bool ok = result.is_object() && result.value("ok", false);
    if (json) {
        std::cout << text << "\n";
        return ok ? 0 : 1;
    }
    if (!ok) {
        const std::string message = result.is_object() && result.contains("error") ? result["error"].value("message", "?") : text;
        std::cerr << "willitfit: " << message << "\n";
        return 1;
    }
    print_answer(result);
    return 0;
}

int list(const wif::Catalog& c, const wif::cli::Args& args) {
    if (args.positional.size() != 1) {
        return fail(wif::make_error("usage", "list needs one of: models, devices, quants"), args.json, 2);
    }
    const std::string& what = args.positional[0];
    wif::JsonWriter w(args.json ? 2 : -1);
    w.begin_object().key(what);
    if (what == "models") wif::write_models(w, c);
    else if (what == "devices") wif::write_devices(w, c);
    else if (what == "quants") wif::write_quants(w, c);
    else return fail(wif::make_error("usage", "list needs one of: models, devices, quants (got \"" + what + "\")"), args.json, 2);
    w.end_object();
    if (args.json) {
        std::cout << w.str() << "\n";
        return 0;
    }
    const Json items = Json::parse(w.str())[what];
    for (const Json& i : items) {
        std::string detail;
        if (what == "models") detail = wif::format_params(i["params"].get<std::int64_t>()) + " params, " + i["hf_repo"].get<std::string>();
        if (what == "devices") detail = wif::format_sig3(i["memory_gib"].get<double>()) + " GB, " + i["kind"].get<std::string>();
        if (what == "quants") detail = i["family"].get<std::string>();
        std::cout << pad(i["id"].get<std::string>(), 34) << pad(i["name"].get<std::string>(), 44) << detail << "\n";
    }
    return 0;
}

int sweep(const wif::Catalog& c, const wif::cli::Args& args) {
    std::int64_t ctx = wif::kDefaultContext;
    if (auto it = args.flags.find("ctx"); it != args.flags.end()) {
        ctx = std::atoll(it->second.c_str());
        if (ctx < 1 || ctx > 16'777'216) return fail(wif::make_error("invalid_argument", "--ctx: 1 to 16777216"), args.json, 2);
    }
    const auto start = std::chrono::steady_clock::now();
    const wif::SweepResult result = wif::sweep_catalog(c, ctx, args.json);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (args.json) {
        wif::JsonWriter w;
        wif::write_sweep(w, c, result, true);
        std::cout << w.str() << "\n";
    } else {
        std::cout << result.combinations() << " combinations (" << c.models.size() << " models x " << c.quants.size()
                  << " formats x " << c.devices.size() << " devices) in " << wif::format_fixed(ms, 1) << " ms: "
                  << result.fits << " fit, " << result.offload << " fit with offload, " << result.no << " do not fit, "
                  << result.unsupported << " unsupported\n";
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    const wif::Expected<wif::cli::Args> parsed = wif::cli::parse_args(argc, argv);
    if (!parsed) {
        const bool json = [&] {
            for (int i = 1; i < argc; ++i) {
                if (std::string(argv[i]) == "--json") return true;
            }
            return false;
        }();
        if (!json) std::cerr << "willitfit: " << parsed.error().message << "\n";
        else fail(parsed.error(), true, 2);
        return 2;
    }
    const wif::cli::Args& args = parsed.value();
    if (args.command == "help") {
        std::cout << kHelp;
        return 0;
    }
    if (args.command == "version") {
        std::cout << "willitfit 0.1.0\n";
        return 0;
    }
    const wif::Expected<wif::Catalog> catalog = load(args);
    if (!catalog) return fail(catalog.error(), args.json, 1);
    const wif::Catalog& c = catalog.value();

    if (args.command == "ask") {
        if (args.positional.size() != 1) {
            return fail(wif::make_error("usage", "ask takes one quoted question, e.g. willitfit ask \"13B on a 4090\""), args.json, 2);
        }
        std::string question = args.positional[0];
        if (auto it = args.flags.find("units"); it != args.flags.end() && wif::to_lower(it->second) == "gib") question += " (GiB)";
        return answer(wif::ask_json(c, question, 2), args.json);
    }
    if (args.command == "infer") {
        const wif::Expected<std::string> request = wif::cli::infer_request(args, read_file);
        if (!request) return fail(request.error(), args.json, request.error().code == "usage" ? 2 : 1);
        return answer(wif::estimate_json(c, request.value(), 2), args.json);
    }
    if (args.command == "list") return list(c, args);
    return sweep(c, args);
}
