// Shared by fuzz_gguf and fuzz_safetensors: a model description read from a file's header, sent
// on as the CLI's `inspect` and `--gguf`/`--safetensors` and the page's inspect_file/answer_file
// do: its JSON (with and without tensors), its weight breakdown, and answers of every kind.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "files/model_file.hpp"
#include "files/model_set.hpp"
#include "fuzz_common.hpp"
#include "present/answer.hpp"

namespace wif_fuzz {

// The need_more protocol: a reader that wants more bytes must ask for more than it was given,
// or the CLI's and the page's read loops could not make progress.
inline void check_need_more(const wif::Error& e, std::uint64_t need, std::size_t have) {
    if (e.code == "need_more" && need <= have) __builtin_trap();
}

inline void check_json(const std::string& json) {
    if (!nlohmann::json::accept(json)) __builtin_trap();
}

// `pick` chooses the question (from the input, so the fuzzer can steer it).
inline void answer_model_file(const wif::ModelFile& file, unsigned pick) {
    {
        wif::JsonWriter w;
        wif::write_model_file(w, file, true);
        check_json(w.take());
        wif::JsonWriter v;
        wif::write_model_file(v, file, false);
        check_json(v.take());
    }
    (void)wif::weight_breakdown(file);

    wif::Request r;
    r.model_file = std::make_shared<const wif::ModelFile>(file);
    static const char* const devices[] = {"rtx-4090", "apple-m2-ultra-192gb", "h100-sxm", "rtx-3060-12gb"};
    r.device = devices[pick % 4];
    switch ((pick / 4) % 5) {
        case 0: r.intent = wif::Intent::memory; break;
        case 1: r.intent = wif::Intent::speed; r.ctx = 131072; break;
        case 2: r.intent = wif::Intent::device_count; r.ctx = 32768; break;
        case 3: r.intent = wif::Intent::serving; r.engine = "vllm"; break;
        default: r.intent = wif::Intent::training; r.training = wif::Json::object(); r.training["method"] = "qlora"; break;
    }
    wif::Expected<wif::Answer> a = wif::answer_request(catalog(), r);
    wif::JsonWriter w;
    if (a) {
        wif::write_answer(w, a.value());
    } else {
        wif::write_error(w, a.error());
    }
    check_json(w.take());
    // fit --gguf: the solver over every format and cache type.
    if (a && (pick / 20) % 4 == 0) {
        wif::Expected<wif::ResolvedRequest> resolved = wif::resolve_request(catalog(), r);
        if (resolved) {
            wif::JsonWriter s;
            wif::write_solution(s, wif::solve(catalog(), resolved.value(), 5));
            check_json(s.take());
        }
    }
}

// Several files, as `--gguf a b c` and the page's multi-file reader give them to
// inspect_model_files: "#files\n" then records "#file NAME\n" + the file's bytes, each record
// after the first starting on a new line ("\n#file NAME\n"). Read twice: each model file's
// bytes the head of a 1 GiB larger file (the tensor data not read), then the whole file; the
// first model read is answered. Returns false when the input is not in this form.
inline bool inspect_files(std::string_view input, unsigned pick) {
    if (!input.starts_with("#files\n#file ")) return false;
    std::vector<std::string> names;
    std::vector<std::string_view> heads;
    std::size_t at = 7;
    while (at < input.size() && input.substr(at).starts_with("#file ")) {
        const std::size_t eol = input.find('\n', at);
        if (eol == std::string_view::npos) break;
        names.emplace_back(input.substr(at + 6, eol - at - 6));
        const std::size_t next = input.find("\n#file ", eol + 1);
        heads.push_back(input.substr(eol + 1, (next == std::string_view::npos ? input.size() : next) - eol - 1));
        if (next == std::string_view::npos || names.size() > wif::kMaxModelFiles) break;
        at = next + 1;
    }
    bool answered = false;
    for (std::uint64_t extra : {std::uint64_t{1} << 30, std::uint64_t{0}}) {
        std::vector<wif::FileHead> files;
        for (std::size_t i = 0; i < names.size(); ++i) {
            const bool json = wif::is_json_side_file(names[i]);
            files.push_back({names[i], heads[i], heads[i].size() + (json ? 0 : extra)});
        }
        std::size_t which = 0;
        std::uint64_t need = 0;
        wif::Expected<wif::ModelFile> m = wif::inspect_model_files(files, &which, &need);
        if (!m) {
            if (m.error().code == "need_more" && (which >= files.size() || need <= files[which].head.size())) __builtin_trap();
            continue;
        }
        if (!answered) answer_model_file(m.value(), pick);
        answered = true;
    }
    return true;
}

inline unsigned pick_of(const std::uint8_t* data, std::size_t size) {
    return size == 0 ? 0u : static_cast<unsigned>(data[size - 1]) ^ static_cast<unsigned>(size);
}

}  // namespace wif_fuzz
