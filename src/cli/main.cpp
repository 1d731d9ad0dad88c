// willitfit: the estimation core on the command line.
//
//   willitfit ask "<question>" [--json]
//   willitfit infer (--model M | --hf-config F | --params 7B) [--quant Q] (--device D | --memory 24GB) [...] [--json]
//   willitfit list models|devices|quants [--json]
//   willitfit sweep [--json]       every catalog model x device x format (parity and benchmarks)
//
// Exit status: 0 answered (whatever the verdict), 1 the request could not be answered, 2 usage.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "advice/advice.hpp"
#include "advice/sweep.hpp"
#include "present/answer.hpp"
#include "present/speed_json.hpp"
#include "question/question.hpp"
#include "args.hpp"
#include "read_file.hpp"
#include "validate_cmd.hpp"
#include "files/model_file.hpp"
#include "files/model_set.hpp"
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
                  [--gpu-util 0.9] [--ngl N] [--n-cpu-moe N|all] [--prompt 512] [--depth 0] [--bandwidth-efficiency F]
                  [--compute-efficiency F] [--ram-bandwidth GB/s] [--units gb|gib] [--json]
  willitfit train (--model ID | --hf-config config.json | --params 7B) (--device ID | --memory 24GB)
                  --method full|lora|qlora [--optimizer adamw|adamw8bit|paged_adamw8bit|sgd|
                  sgd_momentum|adafactor|lion] [--precision fp32|mixed_bf16|mixed_fp16|bf16]
                  [--batch 1] [--seq 2048] [--checkpointing] [--lora-rank 16] [--lora-targets all|attn|q,k,v,o]
                  [--zero 0|1|2|3|fsdp] [--offload-optimizer] [--count 8] [--tokens 2T] [--mfu 0.4]
                  [--price 2.5] [--outlet-watts 1800] [--json]
  willitfit serve (--model ID | ...) (--device ID | ...) [--count N] [--gpu-util 0.9] [--max-model-len N] [--json]
  willitfit fit (--model ID | --params 70B) (--device ID | --memory 24GB) [--min-speed 10] [--json]
  willitfit fit --device ID [--json]          what runs on this device
  willitfit inspect FILE... [--json]          what a model's file headers hold (.gguf, .safetensors,
                                              model.safetensors.index.json, config.json)
  willitfit validate [--points FILE] [--json] [--bands]   predicted vs measured over the validation set
                                                (--bands: the error-band table it gives, as C++ rows)
  willitfit list models|devices|quants [--json]
  willitfit sweep [--ctx 4096] [--json]

infer, train, serve and fit take --gguf FILE or --safetensors FILE instead of --model: the shape
and the exact weights come from the file's header (only the header is read). One part of a split
GGUF brings the other parts; --safetensors model.safetensors.index.json brings every shard; a
config.json beside safetensors files gives the architecture.
Every command takes --catalog-dir DIR to read models.json, devices.json and quants.json from DIR
instead of the copies built into the program.

Examples:
  willitfit ask "7B fp16 on an 8GB RTX 4060?"
  willitfit infer --model llama-3.1-70b --quant Q4_K_M --device rtx-3090 --count 2 --ctx 8192
  willitfit infer --params 13B --device "RTX 4090" --json
  willitfit train --model llama-3.1-8b --method qlora --device rtx-3060-12gb
  willitfit fit --model llama-3.3-70b --device rx-7600-xt --ram 64GB
)";


// The files of the model a path names, as llama.cpp and transformers find them: every part of a
// split GGUF from any one part (same folder and stem, llama.cpp's llama_split_path naming); for
// model.safetensors.index.json, the shards it names; and a config.json beside safetensors files
// (a Hugging Face snapshot folder), which gives the architecture.
wif::Expected<std::vector<std::string>> model_paths(const std::vector<std::string>& given) {
    std::vector<std::string> out;
    bool safetensors = false, has_config = false;
    std::string folder;
    for (const std::string& path : given) {
        const size_t slash = path.find_last_of('/');
        const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
        const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
        if (folder.empty()) folder = dir.empty() ? "./" : dir;
        const wif::GgufSplitName split = wif::gguf_split_name(base);
        if (split.count > 1 && given.size() == 1) {
            const std::string stem = path.substr(0, path.size() - 20);  // without "-00001-of-00003.gguf"
            for (int k = 1; k <= split.count; ++k) {
                char tail[32];
                std::snprintf(tail, sizeof tail, "-%05d-of-%05d.gguf", k, split.count);
                out.push_back(stem + tail);
            }
            continue;
        }
        if (base.ends_with(".index.json")) {
            wif::Expected<std::string> text = wif::read_bounded(path, wif::kMaxIndexJson);
            if (!text) return text.error();
            wif::Expected<wif::SafetensorsIndex> index = wif::read_safetensors_index(text.value());
            if (!index) return wif::Error{index.error().code, path + ": " + index.error().message};
            out.push_back(path);
            for (const std::string& shard : index->shards) {
                if (shard.find('/') != std::string::npos || shard.find('\\') != std::string::npos || shard == "..") {
                    return wif::make_error("invalid_index", path + ": shard name \"" + shard + "\" is not a file name in its folder");
                }
                out.push_back(dir + shard);
            }
            safetensors = true;
            continue;
        }
        if (base == "config.json") has_config = true;
        if (base.ends_with(".safetensors")) safetensors = true;
        out.push_back(path);
    }
    if (safetensors && !has_config) {
        const std::string config = folder + "config.json";
        if (std::ifstream(config).good()) out.push_back(config);
    }
    if (out.size() > wif::kMaxModelFiles) return wif::make_error("too_many_files", "more than " + std::to_string(wif::kMaxModelFiles) + " model files");
    return out;
}

// A model's files, headers only: the head of each file, and more while the core says a header
// needs it (big models' headers are a few MB; the tensors themselves are never read). JSON side
// files are read whole, within their bounds.
wif::Expected<std::shared_ptr<const wif::ModelFile>> load_model_files(const std::vector<std::string>& given) {
    const wif::Expected<std::vector<std::string>> paths = model_paths(given);
    if (!paths) return paths.error();
    constexpr std::size_t kMaxHeader = 512u << 20;  // GGUF headers with huge vocabularies stay far below
    std::vector<std::string> heads(paths->size());
    std::vector<std::uint64_t> sizes(paths->size());
    auto read = [&](size_t i, std::size_t want) -> wif::Expected<bool> {
        wif::Expected<std::string> head = wif::read_head((*paths)[i], want, sizes[i]);
        if (!head) return head.error();
        heads[i] = std::move(head.value());
        return true;
    };
    for (size_t i = 0; i < paths->size(); ++i) {
        const bool json = wif::is_json_side_file((*paths)[i]);
        wif::Expected<bool> ok = read(i, json ? static_cast<std::size_t>(wif::kMaxIndexJson) + 1 : std::size_t{1} << 20);
        if (!ok) return ok.error();
    }
    for (;;) {
        std::vector<wif::FileHead> files;
        for (size_t i = 0; i < paths->size(); ++i) files.push_back({(*paths)[i], heads[i], sizes[i]});
        std::size_t which = 0;
        std::uint64_t need = 0;
        wif::Expected<wif::ModelFile> file = wif::inspect_model_files(files, &which, &need);
        if (file) return std::make_shared<const wif::ModelFile>(std::move(file.value()));
        if (file.error().code != "need_more" || heads[which].size() >= sizes[which]) return file.error();
        const std::size_t have = heads[which].size();
        const std::size_t next = std::max<std::size_t>(static_cast<std::size_t>(std::min<std::uint64_t>(need, kMaxHeader)), have * 2);
        if (next > kMaxHeader || next <= have) return wif::make_error("header_too_large", (*paths)[which] + ": the header is larger than 512 MiB");
        wif::Expected<bool> ok = read(which, next);
        if (!ok) return ok.error();
    }
}

// --gguf / --safetensors: the model comes from the file.
wif::Expected<bool> attach_model_file(const wif::cli::Args& args, wif::Request& r) {
    for (const char* flag : {"gguf", "safetensors"}) {
        const auto it = args.flags.find(flag);
        if (it == args.flags.end()) continue;
        wif::Expected<std::shared_ptr<const wif::ModelFile>> f = load_model_files({it->second});
        if (!f) return f.error();
        r.model_file = f.value();
    }
    return true;
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
        wif::Expected<std::string> text = wif::read_bounded(path, wif::kMaxCatalogBytes);
        if (!text) return wif::Error{text.error().code, "catalog: " + text.error().message};
        texts.push_back({path, std::move(text.value())});
    }
    return wif::load_catalog(texts);
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

void print_lines(const char* title, const std::vector<std::string>& lines) {
    if (lines.empty()) return;
    std::cout << "\n" << title << ":\n";
    for (const std::string& line : lines) std::cout << "  - " << line << "\n";
}

void print_question(const wif::ParsedQuestion& q) {
    std::cout << "Understood:";
    for (const std::string& line : q.understood) std::cout << "\n  - " << line;
    std::cout << "\n";
    for (const std::string& line : q.ambiguities) std::cout << "  ! " << line << "\n";
    std::cout << "\n";
}

// "What can I run on this?": the models that fit, largest first, then the nearest misses.
void print_models(const wif::Answer& a) {
    const wif::Units u = a.request.options.units;
    std::cout << a.headline << "\n\n";
    int shown = 0;
    for (const wif::Option& o : a.models) {
        if (!o.error.empty() || shown >= 25) continue;
        std::cout << "  " << pad(o.name, 44) << pad(wif::format_params(o.params), 8) << pad(wif::format_bytes(o.gpu_bytes, u), 11)
                  << wif::verdict_name(o.verdict) << "\n";
        ++shown;
    }
    print_lines("Assumptions", a.request.assumptions);
}

// A model without a device: what it needs per format, and the smallest devices that hold it.
void print_sizes(const wif::Answer& a) {
    const wif::Units u = a.request.options.units;
    std::cout << a.headline << "\n\n";
    for (const wif::SizeRow& row : a.sizes) {
        std::cout << "  " << pad(row.quant, 8) << pad(row.total_bytes > 0 ? wif::format_bytes(row.total_bytes, u) : "-", 11);
        if (row.smallest.empty()) std::cout << "no single catalog device holds it";
        for (size_t i = 0; i < row.smallest.size(); ++i) std::cout << (i ? ", " : "") << row.smallest[i].name;
        std::cout << "\n";
    }
    print_lines("Assumptions", a.assumptions);
}

// "7.37 GB to 7.67 GB": a memory band's range.
std::string band_bytes(const wif::Band& b, wif::Units u) {
    return wif::format_bytes(wif::round_bytes(b.low), u) + " to " + wif::format_bytes(wif::round_bytes(b.high), u);
}

// " (likely 9.2 to 17)": a rate band's range.
std::string band_rate(const std::optional<wif::Band>& b) {
    return b ? " (likely " + wif::format_sig3(b->low) + " to " + wif::format_sig3(b->high) + ")" : "";
}

void print_training(const wif::Answer& a) {
    const wif::TrainingEstimate& t = *a.training;
    const wif::Units u = a.request.options.units;
    std::cout << a.headline << "\n\n";
    for (const std::string& line : a.explanation) std::cout << "  " << line << "\n";
    std::cout << "\nMemory per GPU" << (u == wif::Units::gib ? " (GiB units)" : "") << ":\n";
    for (const wif::TrainingItem& item : t.items) {
        std::cout << "  " << pad(item.label, 58) << pad(wif::format_bytes(item.bytes, u), 11)
                  << (item.location == wif::Location::host ? "system RAM" : "") << "\n";
    }
    std::cout << "  " << pad("total", 58) << wif::format_bytes(t.total_bytes, u) << "\n";
    if (a.memory_band) {
        std::cout << "  " << pad("likely", 58) << band_bytes(*a.memory_band, u) << "  (error band " << wif::band_plus_minus(*a.memory_band) << ")\n";
    }
    std::cout << "  " << pad("usable on the device", 58) << wif::format_bytes(t.usable_bytes, u) << "\n";
    print_lines("Assumptions", a.assumptions);
}

// Human-readable rendering of an answer, from the answer's own structs (--json is the contract).
void print_answer(const wif::Answer& a) {
    if (a.intent == wif::Intent::what_fits) return print_models(a);
    if (a.intent == wif::Intent::sizes) return print_sizes(a);
    if (a.intent == wif::Intent::training) return print_training(a);
    const wif::Estimate& e = a.estimate;
    const wif::Units u = a.request.options.units;
    std::cout << a.headline << "\n\n";
    for (const std::string& line : a.explanation) std::cout << "  " << line << "\n";
    std::cout << "\nMemory" << (u == wif::Units::gib ? " (GiB units)" : "") << ":\n";
    for (const wif::LineItem& item : e.items) {
        std::cout << "  " << pad(item.label, 58) << pad(wif::format_bytes(item.bytes, u), 11)
                  << (item.location == wif::Location::host ? "system RAM" : "") << "\n";
    }
    std::cout << "  " << pad("total", 58) << wif::format_bytes(e.total_bytes, u) << "\n";
    if (a.memory_band) {
        const bool cpu = a.request.device.kind == wif::DeviceKind::cpu;
        std::cout << "  " << pad(std::string(cpu ? "needed in RAM, likely" : "needed on the GPU, likely"), 58) << band_bytes(*a.memory_band, u)
                  << "  (error band " << wif::band_plus_minus(*a.memory_band) << ")\n";
    }
    std::cout << "  " << pad("usable on the device", 58) << wif::format_bytes(e.usable_bytes, u) << "\n";
    std::cout << "  layers on the GPU: " << e.gpu_layers << " of " << e.total_layers
              << (a.layers_band ? " (" + wif::band_plus_minus(*a.layers_band) + ")" : std::string()) << "\n";
    if (a.max_context > 0) std::cout << "  largest context that fits: " << wif::format_int(a.max_context) << " tokens\n";
    if (a.speed && a.intent != wif::Intent::speed) {
        std::cout << "\nSpeed: " << wif::speed_headline(*a.speed) << band_rate(a.decode_band) << " decoding, "
                  << wif::format_sig3(a.speed->prefill_tps) << " tokens/s" << band_rate(a.prefill_band) << " prompt processing"
                  << (wif::speedup_words(*a.speed).empty() ? "" : " (" + wif::speedup_words(*a.speed) + ")") << "\n";
    }
    if (!a.suggestions.empty()) {
        std::cout << "\nWhat would fit:\n";
        for (const wif::Suggestion& s : a.suggestions) std::cout << "  - " << s.text << "\n";
    }
    print_lines("Warnings", e.warnings);
    print_lines("Assumptions", a.assumptions);
}

int answer(const wif::Expected<wif::Answer>& a, bool json) {
    if (!a) return fail(a.error(), json, 1);
    if (json) {
        wif::JsonWriter w(2);
        wif::write_answer(w, a.value());
        std::cout << w.str() << "\n";
    } else {
        print_answer(a.value());
    }
    return 0;
}

int ask(const wif::Catalog& c, const wif::cli::Args& args, std::optional<wif::Units> units) {
    if (args.positional.size() != 1) {
        return fail(wif::make_error("usage", "ask takes one quoted question, e.g. willitfit ask \"13B on a 4090\""), args.json, 2);
    }
    const std::string& text = args.positional[0];
    const wif::Asked asked = wif::ask(wif::QuestionParser(c), c, text, units);
    if (args.json) {
        wif::JsonWriter w(2);
        wif::write_asked(w, asked, text);
        std::cout << w.str() << "\n";
        return asked.answer ? 0 : 1;
    }
    if (asked.question) print_question(*asked.question);
    if (!asked.answer) {
        std::cerr << "willitfit: " << asked.error.message << "\n";
        return 1;
    }
    print_answer(*asked.answer);
    return 0;
}

// The solver: every setup that runs, fastest first, and the best one; without a model, what runs.
int fit(const wif::Catalog& c, const wif::cli::Args& args) {
    wif::Expected<wif::Request> request = wif::cli::infer_request(args);
    if (!request) return fail(request.error(), args.json, request.error().code == "usage" ? 2 : 1);
    wif::Request& r = request.value();
    if (const auto attached = attach_model_file(args, r); !attached) return fail(attached.error(), args.json, 1);
    // About reading speed, so the best setup is one a person can chat with [estimate: ~5 words/s].
    double min_speed = wif::kDefaultMinSpeed;
    if (auto it = args.flags.find("min-speed"); it != args.flags.end()) {
        const wif::Expected<double> v = wif::cli::parse_real(it->second, "min-speed", 0, 1e6);
        if (!v) return fail(v.error(), args.json, 2);
        min_speed = v.value();
    }
    if (r.model.empty() && r.hf_config.empty() && r.params == 0 && !r.model_file) {
        r.intent = wif::Intent::what_fits;
        return answer(wif::answer_request(c, r), args.json);
    }
    const wif::Expected<wif::ResolvedRequest> resolved = wif::resolve_request(c, r);
    if (!resolved) return fail(resolved.error(), args.json, 1);
    const wif::Solution s = wif::solve(c, resolved.value(), min_speed);
    const wif::Units u = resolved->options.units;
    if (args.json) {
        wif::JsonWriter w(2);
        wif::write_solution(w, s);
        std::cout << w.str() << "\n";
        return 0;
    }
    const wif::ResolvedRequest& q = resolved.value();
    if (s.best < 0) {
        std::cout << "Nothing runs: no format of " << q.model.name << " fits on " << q.device.name << ", even with offload.\n";
        return 0;
    }
    const wif::Setup& b = s.setups[static_cast<size_t>(s.best)];
    std::cout << "Best: " << b.quant << " with a " << b.kv_type << " KV cache (" << b.engine
              << (b.n_cpu_moe > 0 ? " --n-cpu-moe " + std::to_string(b.n_cpu_moe) : std::string()) << "), " << b.gpu_layers << " of "
              << b.total_layers << " layers on the GPU, about " << wif::format_sig3(b.decode_tps) << " tokens/s"
              << (min_speed > 0 && b.decode_tps < min_speed ? " (nothing reaches " + wif::format_sig3(min_speed) + " tokens/s)" : "")
              << ".\n  (the most bits per weight at " << wif::format_sig3(min_speed) << " tokens/s or more; --min-speed to change)\n\n";
    std::cout << "  " << pad("format", 10) << pad("KV", 7) << pad("layers", 9) << pad("on device", 11) << pad("in RAM", 11) << pad("tokens/s", 10)
              << "\n";
    for (const wif::Setup& x : s.setups) {
        std::cout << "  " << pad(x.quant, 10) << pad(x.kv_type, 7) << pad(std::to_string(x.gpu_layers) + "/" + std::to_string(x.total_layers), 9)
                  << pad(wif::format_bytes(x.gpu_bytes, u), 11) << pad(wif::format_bytes(x.ram_bytes, u), 11) << pad(wif::format_sig3(x.decode_tps), 10)
                  << (x.n_cpu_moe > 0 ? "--n-cpu-moe " + std::to_string(x.n_cpu_moe) + " (experts of " + std::to_string(x.n_cpu_moe) + " layers in RAM)" : "")
                  << "\n";
    }
    return 0;
}

int inspect(const wif::cli::Args& args) {
    if (args.positional.empty()) return fail(wif::make_error("usage", "inspect takes the model's files: willitfit inspect model.gguf"), args.json, 2);
    const auto f = load_model_files(args.positional);
    if (!f) return fail(f.error(), args.json, 1);
    const wif::ModelFile& m = *f.value();
    if (args.json) {
        wif::JsonWriter w(2);
        wif::write_model_file(w, m);
        std::cout << w.str() << "\n";
        return 0;
    }
    std::cout << m.format << " file: " << (m.name.empty() ? m.architecture : m.name) << " (" << m.architecture << ")"
              << (m.file_type.empty() ? "" : ", " + m.file_type) << "\n";
    std::cout << "  " << wif::format_int(static_cast<std::int64_t>(m.tensors.size())) << " tensors, "
              << wif::format_params(m.params) << " parameters, " << wif::format_bytes(m.weight_bytes, wif::Units::gb) << " of weights";
    if (m.mmproj_bytes > 0) std::cout << " + " << wif::format_bytes(m.mmproj_bytes, wif::Units::gb) << " projector";
    std::cout << "\n";
    for (const auto& [type, bytes] : m.bytes_by_type) std::cout << "    " << pad(type, 10) << wif::format_bytes(bytes, wif::Units::gb) << "\n";
    if (m.arch_known) {
        std::cout << "  " << m.arch.num_hidden_layers << " layers, hidden " << m.arch.hidden_size << ", " << m.arch.num_attention_heads
                  << " heads (" << m.arch.num_key_value_heads << " KV), context " << wif::format_int(m.arch.max_position_embeddings) << "\n";
    }
    for (const std::string& n : m.notes) std::cout << "  note: " << n << "\n";
    return 0;
}

int list(const wif::Catalog& c, const wif::cli::Args& args) {
    if (args.positional.size() != 1) {
        return fail(wif::make_error("usage", "list needs one of: models, devices, quants"), args.json, 2);
    }
    const std::string& what = args.positional[0];
    if (what != "models" && what != "devices" && what != "quants") {
        return fail(wif::make_error("usage", "list needs one of: models, devices, quants (got \"" + what + "\")"), args.json, 2);
    }
    if (args.json) {
        wif::JsonWriter w(2);
        w.begin_object().key(what);
        if (what == "models") wif::write_models(w, c);
        else if (what == "devices") wif::write_devices(w, c);
        else wif::write_quants(w, c);
        w.end_object();
        std::cout << w.str() << "\n";
        return 0;
    }
    auto row = [](const std::string& id, const std::string& name, const std::string& detail) {
        std::cout << pad(id, 34) << pad(name, 44) << detail << "\n";
    };
    if (what == "models") {
        for (const wif::ModelEntry& m : c.models) row(m.id, m.name, wif::format_params(wif::count_params(m.arch).total) + " params, " + m.hf_repo);
    } else if (what == "devices") {
        for (const wif::Device& d : c.devices) row(d.id, d.name, wif::format_sig3(d.memory_gib) + " GB, " + wif::device_kind_name(d.kind));
    } else {
        for (const wif::QuantEntry& q : c.quants) row(q.spec.id, q.spec.name, wif::quant_family_name(q.spec.family));
    }
    return 0;
}

int sweep(const wif::Catalog& c, const wif::cli::Args& args) {
    std::int64_t ctx = wif::kDefaultContext;
    if (auto it = args.flags.find("ctx"); it != args.flags.end()) {
        const wif::Expected<std::int64_t> v = wif::cli::parse_tokens(it->second, "ctx");
        if (!v) return fail(v.error(), args.json, 2);
        ctx = v.value();
        if (ctx < 1) return fail(wif::make_error("invalid_argument", "--ctx must be at least 1 token"), args.json, 2);
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
    if (args.command == "inspect") return inspect(args);
    const wif::Expected<wif::Catalog> catalog = load(args);
    if (!catalog) return fail(catalog.error(), args.json, 1);
    const wif::Catalog& c = catalog.value();

    std::optional<wif::Units> units;
    if (auto it = args.flags.find("units"); it != args.flags.end()) {
        const std::string u = wif::to_lower(it->second);
        if (u != "gb" && u != "gib") return fail(wif::make_error("usage", "--units: expected gb or gib, got \"" + it->second + "\""), args.json, 2);
        units = u == "gib" ? wif::Units::gib : wif::Units::gb;
    }
    if (args.command == "ask") return ask(c, args, units);
    if (args.command == "infer" || args.command == "serve" || args.command == "train") {
        wif::Expected<wif::Request> request = args.command == "train" ? wif::cli::train_request(args)
                                                                       : wif::cli::infer_request(args);
        if (!request) return fail(request.error(), args.json, request.error().code == "usage" ? 2 : 1);
        if (const auto attached = attach_model_file(args, request.value()); !attached) return fail(attached.error(), args.json, 1);
        if (args.command == "serve") request.value().intent = wif::Intent::serving;
        return answer(wif::answer_request(c, request.value()), args.json);
    }
    if (args.command == "fit") return fit(c, args);
    if (args.command == "list") return list(c, args);
    if (args.command == "validate") {
        const auto it = args.flags.find("points");
        return wif::cli::run_validate(c, args.json, it != args.flags.end() && !it->second.empty() ? it->second : wif::cli::kDefaultPointsPath,
                                      args.flags.count("bands") > 0);
    }
    return sweep(c, args);
}
