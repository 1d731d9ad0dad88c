#include "question/question.hpp"

#include <algorithm>

#include "base/checked.hpp"
#include "base/small_sort.hpp"
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <set>

namespace wif {

namespace {

using Token = QuestionParser::Token;
using Alias = QuestionParser::Alias;

// Lower-case word and number runs; a letter/digit boundary splits ("70b" -> 70, b) but a decimal
// point between digits does not ("3.1", "1.5"). "×" counts as "x".
std::vector<Token> tokenize(std::string_view text) {
    std::vector<Token> out;
    std::string cur;
    int cur_kind = 0;  // 1 digit run, 2 letter run
    bool glued_next = false;
    auto flush = [&](bool next_glued) {
        if (!cur.empty()) {
            Token t;
            t.text = cur;
            t.glued = glued_next;
            t.number = cur_kind == 1;
            if (t.number) t.value = std::strtod(cur.c_str(), nullptr);
            out.push_back(t);
            cur.clear();
        }
        glued_next = next_glued;
        cur_kind = 0;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == 0xC3 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x97) {  // "×"
            flush(false);
            cur = "x";
            cur_kind = 2;
            flush(true);
            ++i;
            continue;
        }
        if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
        if (c == '+') {  // "Command R+" is not "Command R"
            flush(true);
            cur = "+";
            cur_kind = 3;
            flush(false);
            continue;
        }
        const int kind = (c >= '0' && c <= '9') ? 1 : (c >= 'a' && c <= 'z') ? 2 : 0;
        // "8xh100": a count's "x" glued to a name is its own word.
        // Only after a count-sized number: "7900xtx" is an RX 7900 XTX, not 7900 x "tx".
        if (kind == 2 && c == 'x' && cur_kind == 1 && cur.size() <= 2 && i + 1 < text.size() &&
            std::isalpha(static_cast<unsigned char>(text[i + 1]))) {
            flush(true);
            cur = "x";
            cur_kind = 2;
            flush(true);
            continue;
        }
        if (kind == 0) {
            const bool decimal = c == '.' && cur_kind == 1 && cur.find('.') == std::string::npos && i + 1 < text.size() &&
                                 text[i + 1] >= '0' && text[i + 1] <= '9';
            if (decimal) {
                cur.push_back('.');
                continue;
            }
            flush(false);
            continue;
        }
        if (cur_kind != 0 && kind != cur_kind) flush(true);
        cur_kind = kind;
        cur.push_back(static_cast<char>(c));
    }
    flush(false);
    return out;
}

struct Match {
    int kind;  // 0 model, 1 device, 2 quant, 3 engine
    int entry;
    size_t start;
    size_t length;
};

bool matches_at(const std::vector<Token>& q, size_t at, const std::vector<Token>& alias) {
    if (alias.empty() || at + alias.size() > q.size()) return false;
    for (size_t i = 0; i < alias.size(); ++i) {
        if (q[at + i].text != alias[i].text) return false;
        // "a10", "m2", "h100": a single letter glued to a number must be glued in the question too,
        // so "a 10 GB card" is not an A10.
        if (i > 0 && alias[i].glued && alias[i - 1].text.size() == 1 && !alias[i - 1].number && !q[at + i].glued) return false;
    }
    return true;
}

// Whether one of a device's aliases contains `piece` ("4060 ti" in "rtx 4060 ti 16gb").
bool any_alias_contains(const std::vector<std::vector<Token>>& aliases, const std::vector<Token>& piece) {
    for (const std::vector<Token>& alias : aliases) {
        for (size_t p = 0; p + piece.size() <= alias.size(); ++p) {
            if (matches_at(alias, p, piece)) return true;
        }
    }
    return false;
}

template <class Names>
std::vector<Alias> aliases_of(size_t count, const Names& names_of) {
    std::vector<Alias> out;
    for (size_t i = 0; i < count; ++i) {
        std::set<std::string> seen;
        for (const std::string& name : names_of(i)) {
            std::vector<Token> t = tokenize(name);
            std::string key;
            for (const Token& tok : t) key += tok.text + " ";
            if (t.empty() || !seen.insert(key).second) continue;
            out.push_back({static_cast<int>(i), std::move(t)});
        }
    }
    return out;
}

bool is_word(const std::vector<Token>& q, size_t i, std::initializer_list<const char*> words) {
    if (i >= q.size()) return false;
    for (const char* w : words) {
        if (q[i].text == w) return true;
    }
    return false;
}

std::string join(const std::vector<Token>& q, size_t start, size_t length) {
    std::string out;
    for (size_t i = start; i < start + length && i < q.size(); ++i) {
        if (i > start && !q[i].glued) out += ' ';
        out += q[i].text;
    }
    return out;
}

// A parameter count from a number and its scale, kept inside int64 so absurd sizes reach the range
// check instead of overflowing.
std::int64_t count_of(double v, double scale) {
    const double n = v * scale;
    return checked_int(n, 0, 1'000'000'000'000'000'000LL, true).value_or(n > 0 ? 1'000'000'000'000'000'000LL : 0);
}

std::string number_text(double v);

// "NVIDIA GeForce RTX 4060 Ti (16 GB)"; a name that already says its size is left as it is.
std::string sized_name(const Device& d) {
    return d.name_says_size() ? d.name : d.name + " (" + number_text(d.memory_gib) + " GB)";
}

std::string number_text(double v) {
    // Checked: a number typed in a question may be far outside int64 (1e23).
    if (v == std::floor(v)) {
        if (const auto n = checked_int(v, -1'000'000'000'000'000LL, 1'000'000'000'000'000LL)) return format_int(*n);
    }
    return format_sig3(v);
}

}  // namespace

QuestionParser::QuestionParser(const Catalog& c) : catalog_(c) {
    models_ = aliases_of(c.models.size(), [&](size_t i) { return model_names(c.models[i]); });
    devices_ = aliases_of(c.devices.size(), [&](size_t i) { return device_names(c.devices[i]); });
    quants_ = aliases_of(c.quants.size(), [&](size_t i) {
        std::vector<std::string> names = c.quants[i].aliases;
        names.push_back(c.quants[i].spec.id);
        return names;
    });
    std::set<std::string> words;
    for (const ModelEntry& m : c.models) {
        model_names_.push_back(tokenize(m.name));
        for (const Token& t : model_names_.back()) {
            if (!t.number) words.insert(t.text);
        }
    }
    vocabulary_.assign(words.begin(), words.end());
    for (const Device& d : c.devices) {
        device_aliases_.emplace_back();
        for (const std::string& alias : d.aliases) device_aliases_.back().push_back(tokenize(alias));
    }
}

Expected<ParsedQuestion> parse_question(const Catalog& catalog, std::string_view text) {
    return QuestionParser(catalog).parse(text);
}

// The state the steps of a parse share: the tokens, which of them are spoken for, and what the
// numbers said before the catalog matches are interpreted.
struct QuestionParser::Scan {
    const std::vector<Token>& q;
    ParsedQuestion& out;
    Request& r;
    std::vector<char> used;
    std::vector<Match> accepted;
    double memory_gib = 0;
    std::int64_t params = 0;
    std::string params_text;
    enum Hint { none, gpu, mac, cpu } hint = none;
    bool wants_laptop = false, no_gpu = false;
    int model_entry = -1, device_entry = -1, quant_entry = -1, kv_entry = -1;
    size_t device_start = 0, device_len = 0;
    std::string model_words, device_words;

    Scan(const std::vector<Token>& tokens, ParsedQuestion& parsed)
        : q(tokens), out(parsed), r(parsed.request), used(tokens.size(), 0) {}
};

namespace {

constexpr const char* kEngines[][3] = {{"ollama", "", "ollama"}, {"vllm", "", "vllm"},
                                       {"llama", "cpp", "llama.cpp"}, {"llamacpp", "", "llama.cpp"},
                                       {"transformers", "", "transformers"}, {"mlx", "", "mlx"},
                                       {"exllamav", "2", "exllamav2"}, {"exllama", "", "exllamav2"},
                                       {"lm", "studio", "llama.cpp"}, {"koboldcpp", "", "llama.cpp"}};

// Whether the words `phrase` (space-separated) start at token i.
bool phrase_at(const std::vector<Token>& q, size_t i, std::string_view phrase) {
    size_t k = i;
    while (!phrase.empty()) {
        const size_t sp = phrase.find(' ');
        const std::string_view word = phrase.substr(0, sp);
        if (k >= q.size() || q[k].text != word) return false;
        ++k;
        phrase = sp == std::string_view::npos ? std::string_view() : phrase.substr(sp + 1);
    }
    return true;
}

bool any_phrase(const std::vector<Token>& q, std::initializer_list<std::string_view> phrases, size_t* where = nullptr) {
    for (size_t i = 0; i < q.size(); ++i) {
        for (std::string_view p : phrases) {
            if (phrase_at(q, i, p)) {
                if (where) *where = i;
                return true;
            }
        }
    }
    return false;
}

}  // namespace

Expected<ParsedQuestion> QuestionParser::parse(std::string_view text) const {
    ParsedQuestion out;
    Expected<bool> done = parse_into(text, out);
    if (!done) return done.error();
    return out;
}

Expected<bool> QuestionParser::parse_into(std::string_view text, ParsedQuestion& out) const {
    if (text.size() > 2000) return make_error("question_too_long", "the question is longer than 2000 characters");
    const std::vector<Token> q = tokenize(text);
    if (q.empty()) return make_error("empty_question", "the question is empty; try \"llama 3.1 8b q4_k_m on an rtx 4060\"");
    Scan s(q, out);
    match_names(s);
    read_intent(s);
    read_quantities(s);
    apply_matches(s);
    if (Expected<bool> m = pick_model(s); !m) return m.error();
    pick_format(s);
    if (Expected<bool> d = pick_device(s); !d) return d.error();
    if (Expected<bool> n = read_count(s); !n) return n.error();
    if (s.r.ctx > 0) out.understood.push_back("context: " + format_int(s.r.ctx) + " tokens");
    if (s.r.batch > 1) out.understood.push_back("batch: " + std::to_string(s.r.batch) + " sequences");
    if (s.r.ram_gib > 0) out.understood.push_back("system RAM: " + number_text(s.r.ram_gib) + " GB");
    return true;
}

// Step 1. Catalog names, longest first across models, devices, formats and engines.
void QuestionParser::match_names(Scan& s) const {
    const std::vector<Token>& q = s.q;
    std::vector<Match> matches;
    auto scan = [&](int kind, const std::vector<Alias>& aliases) {
        for (const Alias& a : aliases) {
            for (size_t i = 0; i + a.tokens.size() <= q.size(); ++i) {
                if (matches_at(q, i, a.tokens)) matches.push_back({kind, a.entry, i, a.tokens.size()});
            }
        }
    };
    scan(0, models_);
    scan(1, devices_);
    scan(2, quants_);
    for (int e = 0; e < static_cast<int>(sizeof(kEngines) / sizeof(kEngines[0])); ++e) {
        for (size_t i = 0; i < q.size(); ++i) {
            if (q[i].text != kEngines[e][0]) continue;
            const bool two = kEngines[e][1][0] != '\0';
            if (two && !(i + 1 < q.size() && q[i + 1].text == kEngines[e][1])) continue;
            matches.push_back({3, e, i, two ? 2u : 1u});
        }
    }
    small_stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
        return a.length != b.length ? a.length > b.length : a.start < b.start;
    });
    for (const Match& m : matches) {
        bool overlap = false;
        for (size_t i = m.start; i < m.start + m.length; ++i) overlap = overlap || s.used[i];
        if (overlap) continue;
        for (size_t i = m.start; i < m.start + m.length; ++i) s.used[i] = true;
        s.accepted.push_back(m);
    }
    small_stable_sort(s.accepted.begin(), s.accepted.end(), [](const Match& a, const Match& b) { return a.start < b.start; });
}

// Step 2. What the question asks, from its words, and the training details it gives. Training
// wins over the others: "how many H100s to train a 70B" is a training question about GPU count.
void QuestionParser::read_intent(Scan& s) const {
    const std::vector<Token>& q = s.q;
    Request& r = s.r;
    Json& t = r.training;
    size_t at = 0;
    const bool qlora = any_phrase(q, {"qlora", "q lora"});
    const bool lora = !qlora && any_phrase(q, {"lora", "peft", "adapter", "adapters"});
    const bool pretrain = any_phrase(q, {"pretrain", "pretraining", "pretrained on", "pre train", "pre training", "from scratch"});
    const bool full = any_phrase(q, {"full fine", "full finetune", "full finetuning", "full ft", "full parameter", "fully fine"});
    const bool train = qlora || lora || pretrain || full ||
                       any_phrase(q, {"train", "training", "trained", "finetune", "finetuning", "finetuned", "fine tune",
                                      "fine tuning", "fine tuned", "tune", "tuning", "sft", "dpo", "rlhf", "grpo"});
    // "how many tokens per second" and "how many tps" ask about speed.
    const bool how_many_speed = any_phrase(q, {"how many tokens", "how many tps", "how many t s", "how many tok"});
    const bool how_many = !how_many_speed && any_phrase(q, {"how many", "number of gpus", "number of cards", "minimum gpus", "min gpus",
                                         "how much gpus", "gpus do i need", "gpus needed", "cards do i need"});
    const bool speed = any_phrase(q, {"how fast", "fast", "speed", "tokens per second", "token per second", "tokens s",
                                      "tok s", "t s", "tps", "throughput", "tokens sec", "tokens per sec", "slow", "latency"});
    const bool what_fits = any_phrase(q, {"what can i run", "what could i run", "what can run", "what fits", "what will fit",
                                          "what would fit", "what runs", "what will run", "which models", "which model",
                                          "what models", "what model", "what llm", "what llms", "which llm", "which llms",
                                          "biggest model", "largest model", "best model"}, &at);
    if (train) {
        r.intent = Intent::training;
        if (qlora) t["method"] = "qlora";
        else if (lora) t["method"] = "lora";
        else if (full || pretrain) t["method"] = "full";
        if (pretrain) t["pretraining"] = true;
        if (how_many) t["asks_count"] = true;
        out_intent(s, qlora ? "QLoRA fine-tuning" : lora ? "LoRA fine-tuning" : pretrain ? "pretraining" : full ? "full fine-tuning" : "training");
    } else if (how_many) {
        r.intent = Intent::device_count;
        out_intent(s, "how many devices");
    } else if (what_fits) {
        r.intent = Intent::what_fits;
        out_intent(s, "what runs on this device");
    } else if (speed) {
        r.intent = Intent::speed;
        out_intent(s, "speed (tokens per second)");
    }
    if (r.intent != Intent::training) return;
    // Training details: "rank 64", "r=16", "2T tokens", "zero 3", "fsdp", "gradient checkpointing", optimizers.
    for (size_t i = 0; i < q.size(); ++i) {
        const bool next_number = i + 1 < q.size() && q[i + 1].number;
        if ((q[i].text == "rank" || q[i].text == "r") && next_number && q[i + 1].value >= 1 && q[i + 1].value <= 4096) {
            t["lora_rank"] = static_cast<std::int64_t>(q[i + 1].value);
            s.used[i] = s.used[i + 1] = true;
        }
        if (q[i].number && is_word(q, i + 1, {"t", "b", "m", "trillion", "billion", "million"}) && is_word(q, i + 2, {"tokens", "token"})) {
            const std::string& u = q[i + 1].text;
            const double scale = (u == "t" || u == "trillion") ? 1e12 : (u == "b" || u == "billion") ? 1e9 : 1e6;
            t["tokens"] = static_cast<double>(count_of(q[i].value, scale));
            s.used[i] = s.used[i + 1] = s.used[i + 2] = true;
        }
        if ((q[i].text == "zero" || q[i].text == "deepspeed") && next_number && q[i + 1].value >= 0 && q[i + 1].value <= 3) {
            t["zero"] = static_cast<std::int64_t>(q[i + 1].value);
            s.used[i + 1] = true;
        }
        if (q[i].text == "fsdp") t["zero"] = "fsdp";
        if ((q[i].text == "gradient" || q[i].text == "activation") && is_word(q, i + 1, {"checkpointing", "checkpoint"})) {
            t["checkpointing"] = true;
        }
        if (q[i].text == "sgd") t["optimizer"] = "sgd";
        if (q[i].text == "adafactor") t["optimizer"] = "adafactor";
        if (q[i].text == "lion") t["optimizer"] = "lion";
        if (q[i].text == "paged" && is_word(q, i + 1, {"adamw", "adam"})) t["optimizer"] = "paged_adamw8bit";
        if ((q[i].text == "8bit" || (q[i].number && q[i].value == 8 && is_word(q, i + 1, {"bit"}))) &&
            (is_word(q, i + 1, {"adam", "adamw"}) || is_word(q, i + 2, {"adam", "adamw"})) && !t.contains("optimizer")) {
            t["optimizer"] = "adamw8bit";
        }
    }
}

void QuestionParser::out_intent(Scan& s, const std::string& what) const {
    s.out.understood.push_back("question: " + what);
}

// Step 3. Numbers with units and keywords in what is left: sizes, parameter counts, context,
// parallel sequences, system RAM, hints about the kind of device.
void QuestionParser::read_quantities(Scan& s) const {
    const std::vector<Token>& q = s.q;
    Request& r = s.r;
    std::vector<char>& used = s.used;
    bool device_named = false;
    for (const Match& m : s.accepted) device_named = device_named || m.kind == 1;
    struct Size {
        double gib;
        bool ram;    // "64GB RAM", "64 GB of system memory"
        bool vram;   // "16GB GPU", "24 GB VRAM"
    };
    std::vector<Size> sizes;
    for (size_t i = 0; i < q.size(); ++i) {
        const std::string& w = q[i].text;
        if (w == "laptop" || w == "notebook" || w == "mobile") s.wants_laptop = true;
        if (w == "max" && is_word(q, i + 1, {"q"})) s.wants_laptop = true;  // "Max-Q": NVIDIA's laptop GPUs
        if (w == "mac" || w == "macbook" || w == "imac" || w == "apple" || w == "unified") s.hint = Scan::mac;
        if ((w == "vram" || w == "card" || w == "gpu" || w == "gpus") && s.hint != Scan::mac) s.hint = Scan::gpu;
        if ((w == "no" || w == "without") && is_word(q, i + 1, {"gpu", "gpus", "graphics"})) s.no_gpu = true;
        if (w == "without" && is_word(q, i + 1, {"a", "any"}) && is_word(q, i + 2, {"gpu", "gpus"})) s.no_gpu = true;
        if (w == "cpu" && s.hint != Scan::mac) s.hint = Scan::cpu;
        if (used[i] || !q[i].number) continue;
        const double v = q[i].value;
        const std::string unit = i + 1 < q.size() ? q[i + 1].text : "";
        const bool unit_free = i + 1 < q.size() && !used[i + 1];
        if (unit_free && (unit == "gb" || unit == "gib" || unit == "g" || unit == "gig" || unit == "gigs" || unit == "tb" || unit == "mb") && v > 0) {
            Size z{unit == "tb" ? v * 1024 : unit == "mb" ? v / 1024 : v, false, false};
            used[i] = used[i + 1] = true;
            // "ddr5" tokenizes as "ddr" "5".
            z.ram = is_word(q, i + 2, {"ram", "ddr", "lpddr", "dram", "sodimm"}) || (is_word(q, i + 2, {"of"}) && is_word(q, i + 3, {"ram"})) ||
                    (is_word(q, i + 2, {"system", "of"}) && is_word(q, i + 3, {"ram", "memory"})) ||
                    (is_word(q, i + 2, {"of"}) && is_word(q, i + 3, {"system"}) && is_word(q, i + 4, {"ram", "memory"}));
            z.vram = is_word(q, i + 2, {"vram", "card", "gpu"});
            if (z.ram && s.hint == Scan::none) s.hint = Scan::cpu;
            if (z.vram) s.hint = Scan::gpu;
            if (is_word(q, i + 2, {"unified"})) s.hint = Scan::mac;
            sizes.push_back(z);
            continue;
        }
        if (unit_free && (unit == "b" || unit == "billion" || unit == "bn") && !is_word(q, i + 2, {"x"})) {
            s.params = count_of(v, 1e9);
            s.params_text = number_text(v) + "B";
            used[i] = used[i + 1] = true;
            continue;
        }
        if (unit_free && (unit == "t" || unit == "trillion") && !is_word(q, i + 2, {"x"})) {
            s.params = count_of(v, 1e12);
            s.params_text = number_text(v) + "T";
            used[i] = used[i + 1] = true;
            continue;
        }
        if (unit_free && (unit == "m" || unit == "million") && is_word(q, i + 2, {"params", "parameters", "parameter", "model"})) {
            s.params = count_of(v, 1e6);
            s.params_text = number_text(v) + "M";
            used[i] = used[i + 1] = true;
            continue;
        }
        if (unit_free && unit == "k" && v > 0 && v <= 16384) {
            r.ctx = static_cast<std::int64_t>(std::llround(v * 1024));
            used[i] = used[i + 1] = true;
            continue;
        }
        if (unit_free && (unit == "tokens" || unit == "token" || unit == "ctx" || unit == "context") && v >= 16 && v <= kMaxContext) {
            r.ctx = static_cast<std::int64_t>(v);
            used[i] = used[i + 1] = true;
            continue;
        }
        if (i > 0 && is_word(q, i - 1, {"ctx", "context", "seq", "sequence", "length"}) && v >= 16 && v <= kMaxContext) {
            r.ctx = static_cast<std::int64_t>(v);
            used[i] = true;
            continue;
        }
        if (unit_free && (unit == "users" || unit == "user" || unit == "concurrent" || unit == "parallel" || unit == "sequences" ||
                          unit == "requests" || unit == "streams" || unit == "slots") && v >= 1 && v <= 4096) {
            r.batch = static_cast<std::int64_t>(v);
            used[i] = used[i + 1] = true;
            continue;
        }
        if (i > 0 && (is_word(q, i - 1, {"batch"}) || (i > 1 && is_word(q, i - 1, {"of", "size"}) && is_word(q, i - 2, {"batch", "size"}))) &&
            v >= 1 && v <= 4096) {
            r.batch = static_cast<std::int64_t>(v);
            used[i] = true;
            continue;
        }
    }
    // Sizes: with a device named or another size given, one said to be RAM is the system RAM beside
    // it ("a 16GB GPU with 64GB RAM"); alone, "64GB RAM" is a CPU-only machine.
    const bool device_size = std::any_of(sizes.begin(), sizes.end(), [](const Size& y) { return !y.ram; });
    for (const Size& z : sizes) {
        if (z.ram && (device_named || device_size)) r.ram_gib = z.gib;
        else s.memory_gib = z.gib;
    }
    if (r.ram_gib > 0 && s.hint == Scan::cpu && s.memory_gib > 0) s.hint = Scan::gpu;
    for (size_t i = 0; i < q.size(); ++i) {
        if (q[i].text == "gib") r.units = Units::gib;
    }
    for (size_t i = 0; i + 1 < q.size(); ++i) {
        if (q[i].text == "flash" && is_word(q, i + 1, {"attention", "attn"})) {
            const bool negated = (i > 0 && is_word(q, i - 1, {"no", "without"})) || is_word(q, i + 2, {"off"});
            r.flash_attn = negated ? "off" : "on";
            s.out.understood.push_back(std::string("flash attention: ") + (negated ? "off" : "on"));
        }
    }
}

// Step 4. The catalog matches: one model, one device, a weight format, a KV-cache type, an engine.
void QuestionParser::apply_matches(Scan& s) const {
    const Catalog& c = catalog_;
    const std::vector<Token>& q = s.q;
    for (const Match& m : s.accepted) {
        const std::string words = join(q, m.start, m.length);
        if (m.kind == 0) {
            if (s.model_entry >= 0 && s.model_entry != m.entry) {
                s.out.ambiguities.push_back("\"" + words + "\" also names a model (" + c.models[static_cast<size_t>(m.entry)].name +
                                            "); answered for " + c.models[static_cast<size_t>(s.model_entry)].name);
                continue;
            }
            s.model_entry = m.entry;
            s.model_words = words;
        } else if (m.kind == 1) {
            if (s.device_entry >= 0 && s.device_entry != m.entry) {
                const Device& first = c.devices[static_cast<size_t>(s.device_entry)];
                const Device& second = c.devices[static_cast<size_t>(m.entry)];
                // "Surface Laptop Studio 2 with an RTX 4060": the laptop name already fixed the GPU.
                if (second.segment == "laptop" && first.segment != "laptop") {
                    s.device_entry = m.entry;
                    s.device_words = words;
                    s.device_start = m.start;
                    s.device_len = m.length;
                } else if (!(first.segment == "laptop" && second.segment != "laptop")) {
                    s.out.ambiguities.push_back("the question names two devices; answered for " + first.name + ", not " + second.name);
                }
                continue;
            }
            s.device_entry = m.entry;
            s.device_words = words;
            s.device_start = m.start;
            s.device_len = m.length;
        } else if (m.kind == 2) {
            // A format next to "kv"/"cache" describes the KV cache, not the weights.
            const bool kv = is_word(q, m.start + m.length, {"kv", "cache"}) || (m.start > 0 && is_word(q, m.start - 1, {"kv", "cache"})) ||
                            (m.start > 1 && is_word(q, m.start - 2, {"kv"}));
            if (kv) s.kv_entry = m.entry;
            else if (s.quant_entry < 0) s.quant_entry = m.entry;
            else s.out.ambiguities.push_back("two weight formats in the question; used " + c.quants[static_cast<size_t>(s.quant_entry)].spec.id);
        } else {
            s.r.engine = kEngines[m.entry][2];
            s.out.understood.push_back("engine: " + s.r.engine);
        }
    }
}

// Step 5. The model: a catalog name, else family words + size, else a bare parameter count.
Expected<bool> QuestionParser::pick_model(Scan& s) const {
    const Catalog& c = catalog_;
    const std::vector<Token>& q = s.q;
    // "What can I run on my 8GB M1?" names no model; leftover words are not a model family.
    if (s.r.intent == Intent::what_fits && s.model_entry < 0 && s.params == 0) return true;
    // Model: a catalog name, else family words + size, else a bare parameter count.
    if (s.model_entry < 0) {
        static const std::set<std::string> generic = {"b", "x", "instruct", "chat", "it", "base", "model", "mini", "small", "large", "medium", "a", "e"};
        std::vector<std::string> family;
        for (size_t i = 0; i < q.size(); ++i) {
            if (s.used[i] || q[i].number) continue;
            if (std::binary_search(vocabulary_.begin(), vocabulary_.end(), q[i].text) && !generic.count(q[i].text)) {
                family.push_back(q[i].text);
            }
        }
        if (!family.empty()) {
            std::vector<int> candidates;
            for (size_t k = 0; k < c.models.size(); ++k) {
                const std::vector<Token>& name = model_names_[k];
                std::set<std::string> words;
                for (const Token& t : name) words.insert(t.text);
                bool all = std::all_of(family.begin(), family.end(), [&](const std::string& f) { return words.count(f) > 0; });
                if (!all || name.empty() || name[0].text != family[0]) continue;
                if (s.params > 0) {
                    const double billions = static_cast<double>(s.params) / 1e9;
                    bool size = false;
                    for (size_t t = 0; t + 1 < name.size(); ++t) {
                        size = size || (name[t].number && std::fabs(name[t].value - billions) < 1e-6 && name[t + 1].text == "b");
                    }
                    if (!size) continue;
                }
                candidates.push_back(static_cast<int>(k));
            }
            if (!candidates.empty()) {
                // The newest match, but a plain question means the plain model: names with a
                // specialisation the question does not say (VL, Coder, Math, Guard, ...) come after.
                static const std::set<std::string> specialised = {"vl", "vision", "coder", "code", "math", "guard", "embedding",
                                                                  "reranker", "distill", "nemotron", "minitron", "hermes", "safeguard"};
                std::set<std::string> said;
                for (const Token& t : q) said.insert(t.text);
                const auto plain = [&](int k) {
                    for (const Token& t : model_names_[static_cast<size_t>(k)]) {
                        if (specialised.count(t.text) && !said.count(t.text)) return false;
                    }
                    return true;
                };
                small_stable_sort(candidates.begin(), candidates.end(), [&](int a, int b) {
                    if (plain(a) != plain(b)) return plain(a);
                    return c.models[static_cast<size_t>(a)].release_date > c.models[static_cast<size_t>(b)].release_date;
                });
                s.model_entry = candidates[0];
                s.model_words = "";
                for (const std::string& f : family) s.model_words += (s.model_words.empty() ? "" : " ") + f;
                if (!s.params_text.empty()) s.model_words += " " + s.params_text;
                if (candidates.size() > 1) {
                    std::string names;
                    for (size_t k = 0; k < candidates.size() && k < 6; ++k) {
                        names += (k ? ", " : "") + c.models[static_cast<size_t>(candidates[k])].name;
                        s.out.model_candidates.push_back(c.models[static_cast<size_t>(candidates[k])].id);
                    }
                    s.out.ambiguities.push_back("\"" + s.model_words + "\" could be " + names + "; answered for the newest, " +
                                              c.models[static_cast<size_t>(s.model_entry)].name);
                }
                s.params = 0;
            } else if (s.params == 0) {
                return make_error("unknown_model", "no model in the catalog matches \"" + family[0] +
                                                       "\"; name one (e.g. \"llama 3.1 8b\") or give a size (\"7B\")");
            }
        }
    }
    // "gemma 3 70b": a name matched, but the size asks for another member of the family, or none.
    if (s.model_entry >= 0 && s.params > 0) {
        const ModelEntry& matched = c.models[static_cast<size_t>(s.model_entry)];
        const auto close = [&](const ModelEntry& m) {
            const double ratio = static_cast<double>(s.params) / static_cast<double>(m.published_params);
            return ratio > 0.85 && ratio < 1.15;
        };
        if (!close(matched)) {
            int better = -1;
            std::string sizes;
            for (size_t k = 0; k < c.models.size(); ++k) {
                const ModelEntry& m = c.models[k];
                if (m.family != matched.family) continue;
                sizes += (sizes.empty() ? "" : ", ") + m.name;
                if (close(m) && (better < 0 || m.release_date > c.models[static_cast<size_t>(better)].release_date)) better = static_cast<int>(k);
            }
            if (better < 0) {
                return make_error("unknown_model", "no " + matched.family + " model has " + s.params_text +
                                                       " parameters; the catalog has " + sizes);
            }
            s.model_entry = better;
            s.model_words += " " + s.params_text;
        }
        s.params = 0;
    }
    if (s.model_entry >= 0) {
        const ModelEntry& m = c.models[static_cast<size_t>(s.model_entry)];
        s.r.model = m.id;
        s.out.understood.push_back("model: " + m.name + (s.model_words.empty() ? "" : " (from \"" + s.model_words + "\")"));
    } else if (s.params > 0) {
        if (s.params < 100'000'000 || s.params > 3'000'000'000'000LL) {
            return make_error("params_out_of_range", "a " + s.params_text + " model is outside 0.1B-3T parameters");
        }
        s.r.params = s.params;
        s.out.understood.push_back("model size: " + s.params_text + " parameters");
    } else {
        if (s.r.intent == Intent::what_fits) return true;  // the question asks which models
        // A device and no model ("rtx 4090?", "on a 24GB card with 32k context"): what runs on it,
        // said so in what was understood.
        if (s.device_entry >= 0 || s.memory_gib > 0) {
            s.r.intent = Intent::what_fits;
            out_intent(s, "what runs on this device (the question names no model)");
            return true;
        }
        return make_error("no_model", "the question names no model and no size; try \"7B\" or a name like \"llama 3.1 8b\"");
    }

    return true;
}

// Step 6. The weight format and the KV-cache type.
void QuestionParser::pick_format(Scan& s) const {
    const Catalog& c = catalog_;
    // Weight format.
    if (s.quant_entry >= 0) {
        s.r.quant = c.quants[static_cast<size_t>(s.quant_entry)].spec.id;
        s.out.understood.push_back("precision: " + c.quants[static_cast<size_t>(s.quant_entry)].spec.name);
    }
    if (s.kv_entry >= 0) {
        const std::string& id = c.quants[static_cast<size_t>(s.kv_entry)].spec.id;
        KvType kv;
        if (parse_kv_type(id, kv) || parse_kv_type(to_lower(id), kv)) {
            s.r.kv_type = kv_type_name(kv);
        } else if (id == "int8" || id == "Q8_0" || id == "fp8") {
            s.r.kv_type = id == "fp8" ? "fp8" : "q8_0";
        } else if (id == "int4" || id == "Q4_0") {
            s.r.kv_type = "q4_0";
        }
        if (!s.r.kv_type.empty()) s.out.understood.push_back("KV cache: " + s.r.kv_type);
    }

}

// Step 7. The device: a catalog name (checked against a stated memory size), else partial names,
// else a bare size.
Expected<bool> QuestionParser::pick_device(Scan& s) const {
    const Catalog& c = catalog_;
    const std::vector<Token>& q = s.q;
    // Device: a catalog name (checked against a stated memory size), else partial names, else a bare size.
    if (s.device_entry >= 0) {
        const Device* d = &c.devices[static_cast<size_t>(s.device_entry)];
        // "rtx 4060" in a question about a laptop is the laptop GPU.
        if (s.wants_laptop && d->segment != "laptop") {
            for (size_t k = 0; k < c.devices.size(); ++k) {
                const Device& other = c.devices[k];
                if (other.segment == "laptop" && other.vendor == d->vendor &&
                    lookup_key(other.name).find(lookup_key(d->name)) != std::string::npos) {
                    s.device_entry = static_cast<int>(k);
                    d = &other;
                    break;
                }
            }
        }
        if (s.memory_gib > 0 && std::fabs(d->memory_gib - s.memory_gib) > 0.01) {
            // The stated size picks the variant ("4060 ti 16gb", "m2 ultra 192gb").
            const std::string base = lookup_key(s.device_words);
            int better = -1;
            for (size_t k = 0; k < c.devices.size() && better < 0; ++k) {
                const Device& other = c.devices[k];
                if (std::fabs(other.memory_gib - s.memory_gib) > 0.01) continue;
                for (const std::string& alias : other.aliases) {
                    if (lookup_key(alias).find(base) != std::string::npos) {
                        better = static_cast<int>(k);
                        break;
                    }
                }
            }
            if (better >= 0) {
                s.device_entry = better;
                d = &c.devices[static_cast<size_t>(better)];
            } else {
                s.out.ambiguities.push_back("the question says " + number_text(s.memory_gib) + " GB but the " + d->name + " has " +
                                          number_text(d->memory_gib) + " GB; used " + number_text(d->memory_gib) + " GB");
            }
        }
        // "a100" or "4060 ti" alone: say when the same name also comes with other memory sizes.
        if (s.memory_gib <= 0 && !s.device_words.empty()) {
            const std::vector<Token> piece = tokenize(s.device_words);
            std::string others;
            for (size_t k = 0; k < c.devices.size(); ++k) {
                const Device& other = c.devices[k];
                if (other.id == d->id || other.kind != d->kind || std::fabs(other.memory_gib - d->memory_gib) < 0.01) continue;
                if (s.wants_laptop != (other.segment == "laptop")) continue;
                if (any_alias_contains(device_aliases_[k], piece)) {
                    others += (others.empty() ? "" : ", ") + sized_name(other);
                    s.out.device_candidates.push_back(other.id);
                }
            }
            if (!others.empty()) {
                s.out.device_candidates.insert(s.out.device_candidates.begin(), d->id);
                s.out.ambiguities.push_back("\"" + s.device_words + "\" also names " + others + "; answered for the " + sized_name(*d) +
                                            ": add the memory size to choose");
            }
        }
        s.r.device = d->id;
    } else {
        // Partial names: "macbook air", "m2 ultra" name several configurations.
        std::vector<int> candidates;
        size_t best_len = 0;
        for (size_t start = 0; start < q.size(); ++start) {
            if (s.used[start]) continue;
            for (size_t len = std::min<size_t>(4, q.size() - start); len >= 1; --len) {
                bool free = true;
                for (size_t i = start; i < start + len; ++i) free = free && !s.used[i];
                if (!free || len < best_len) continue;
                const std::vector<Token> piece(q.begin() + static_cast<std::ptrdiff_t>(start),
                                               q.begin() + static_cast<std::ptrdiff_t>(start + len));
                // A lone word or number is too weak to name a device ("air", "2").
                if (len == 1 && (piece[0].number ? piece[0].value < 100 : piece[0].text.size() < 4)) continue;
                static const std::set<std::string> weak = {"laptop", "gpu", "card", "with", "and", "the", "pro", "max", "mini",
                                                           "desktop", "apple", "nvidia", "amd", "intel", "ram", "memory", "graphics"};
                if (len == 1 && weak.count(piece[0].text)) continue;
                std::vector<int> found;
                for (size_t k = 0; k < c.devices.size(); ++k) {
                    if (any_alias_contains(device_aliases_[k], piece)) found.push_back(static_cast<int>(k));
                }
                if (!found.empty() && len > best_len) {
                    best_len = len;
                    candidates = found;
                    s.device_start = start;
                    s.device_len = len;
                }
            }
        }
        if (!candidates.empty()) {
            std::vector<int> sized;
            for (int k : candidates) {
                if (s.memory_gib <= 0 || std::fabs(c.devices[static_cast<size_t>(k)].memory_gib - s.memory_gib) < 0.01) sized.push_back(k);
            }
            if (sized.empty()) sized = candidates;
            // Smallest memory first (the cautious answer), newest first among equals.
            small_stable_sort(sized.begin(), sized.end(), [&](int a, int b) {
                const Device& x = c.devices[static_cast<size_t>(a)];
                const Device& y = c.devices[static_cast<size_t>(b)];
                if (x.memory_gib != y.memory_gib) return x.memory_gib < y.memory_gib;
                return x.release_year > y.release_year;
            });
            const Device& pick = c.devices[static_cast<size_t>(sized[0])];
            s.device_entry = sized[0];
            s.device_words = join(q, s.device_start, s.device_len);
            s.r.device = pick.id;
            if (sized.size() > 1) {
                const bool same = std::all_of(sized.begin(), sized.end(), [&](int k) {
                    const Device& d = c.devices[static_cast<size_t>(k)];
                    return std::fabs(d.memory_gib - pick.memory_gib) < 0.01 && d.kind == pick.kind;
                });
                std::string names;
                for (size_t k = 0; k < sized.size() && k < 6; ++k) {
                    names += (k ? ", " : "") + c.devices[static_cast<size_t>(sized[k])].name;
                    s.out.device_candidates.push_back(c.devices[static_cast<size_t>(sized[k])].id);
                }
                s.out.ambiguities.push_back("\"" + s.device_words + "\" could be " + names + "; answered for " + pick.name +
                                          (same ? " (they have the same memory)" : " (the smallest; add the memory size to choose)"));
            }
        } else if (s.memory_gib > 0) {
            s.r.memory_gib = s.memory_gib;
            if (s.no_gpu) s.hint = Scan::cpu;
            s.r.device_kind = s.hint == Scan::mac ? "unified" : s.hint == Scan::cpu ? "cpu" : "gpu";
            const std::string kind = s.r.device_kind == "unified" ? "a Mac with " + number_text(s.memory_gib) + " GB of unified memory"
                                     : s.r.device_kind == "cpu"   ? number_text(s.memory_gib) + " GB of system RAM, no GPU"
                                                                : "a GPU with " + number_text(s.memory_gib) + " GB";
            s.out.understood.push_back("device: " + kind);
        } else {
            // A device-like name the catalog lacks ("rtx 9090"): say so, with the closest names.
            static const std::set<std::string> brands = {"rtx", "gtx", "rx", "radeon", "geforce", "quadro", "tesla", "arc", "instinct", "mi"};
            for (size_t i = 0; i + 1 < q.size(); ++i) {
                if (s.used[i] || !brands.count(q[i].text) || !q[i + 1].number) continue;
                const std::string name = q[i].text + " " + q[i + 1].text;
                std::string message = "no device called \"" + name + "\" in the catalog";
                const Lookup l = c.find_device(name);
                for (size_t k = 0; k < l.candidates.size() && k < 4; ++k) {
                    message += (k == 0 ? "; did you mean " : ", ") + c.devices[static_cast<size_t>(l.candidates[k])].name;
                }
                return make_error("unknown_device", message + (l.candidates.empty() ? " (or give a memory size: \"on a 24GB card\")" : "?"));
            }
            // "what would pretraining a 7B cost": a training question may leave the GPU to the answer.
            if (s.r.intent == Intent::training) return true;
            // "llama 3.1 8b on a frobnicator 9000": words after "on" that named nothing are a
            // device the catalog lacks, not a question without hardware.
            static const std::set<std::string> filler = {"a", "an", "my", "the", "one", "single", "two", "dual", "it", "this", "that", "here", "there", "of"};
            for (size_t i = 0; i + 1 < q.size(); ++i) {
                if (q[i].text != "on" || s.used[i]) continue;
                std::string name;
                for (size_t k = i + 1; k < q.size() && k < i + 6 && !s.used[k]; ++k) {
                    if (filler.count(q[k].text)) {
                        if (name.empty()) continue;
                        break;
                    }
                    name += (name.empty() ? "" : " ") + q[k].text;
                }
                if (!name.empty()) {
                    return make_error("unknown_device", "no device called \"" + name + "\" in the catalog; name a catalog GPU or Mac, or give a memory size (\"on a 24GB card\")");
                }
            }
            // "13b", "how much memory does llama 3.1 70b need": a model and no hardware is answered
            // with what it needs and the smallest devices that hold it.
            if (s.r.intent == Intent::memory || s.r.intent == Intent::speed) {
                s.r.intent = Intent::sizes;
                s.out.understood.push_back("no device named: what it needs, and the smallest devices that hold it");
                return true;
            }
            return make_error("no_device", "the question names no device and no memory size; try \"on an RTX 4090\" or \"on a 24GB card\"");
        }
    }

    return true;
}

// Step 8. How many devices: "2x 3090", "3090 x2", "dual 4090", "two 4090s", "4 A100s".
Expected<bool> QuestionParser::read_count(Scan& s) const {
    const Catalog& c = catalog_;
    const std::vector<Token>& q = s.q;
    if (s.device_entry < 0) return true;
    // Counts stay doubles until checked: a huge number typed in a question is refused, never cast.
    double count = 0;
    const size_t at = s.device_start;
    if (at >= 2 && q[at - 1].text == "x" && q[at - 2].number) count = q[at - 2].value;
    else if (at >= 1 && q[at - 1].number && !s.used[at - 1] && q[at - 1].value >= 1 && q[at - 1].value <= 64) count = q[at - 1].value;
    else if (at >= 1 && q[at - 1].text.size() > 1 && q[at - 1].text[0] >= '0' && q[at - 1].text[0] <= '9') count = 0;
    else if (at >= 1 && is_word(q, at - 1, {"dual", "two", "double", "pair"})) count = 2;
    else if (at >= 2 && is_word(q, at - 1, {"of"}) && is_word(q, at - 2, {"pair"})) count = 2;
    else if (at >= 1 && is_word(q, at - 1, {"three", "triple"})) count = 3;
    else if (at >= 1 && is_word(q, at - 1, {"four", "quad"})) count = 4;
    else if (at >= 1 && is_word(q, at - 1, {"eight"})) count = 8;
    const size_t e = s.device_start + s.device_len;
    if (count == 0 && e + 1 < q.size() && q[e].text == "x" && q[e + 1].number) count = q[e + 1].value;
    if (count > kMaxDevices) return make_error("invalid_count", "more than 64 GPUs is outside what this calculator models");
    if (count >= 2) s.r.count = static_cast<int>(count);
    const Device& d = c.devices[static_cast<size_t>(s.device_entry)];
    s.out.understood.push_back("device: " + (s.r.count > 1 ? std::to_string(s.r.count) + " x " : std::string()) + d.name +
                               (s.device_words.empty() ? "" : " (from \"" + s.device_words + "\")"));
    return true;
}

}  // namespace wif
