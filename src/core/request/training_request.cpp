#include "request/training_request.hpp"

#include <cmath>
#include <cstdlib>

namespace wif {

namespace {

constexpr const char* kCode = "invalid_training_request";

Error bad(const std::string& key, const std::string& what) { return make_error(kCode, key + ": " + what); }

std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    const size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// A string-valued key checked against its allowed names.
template <class E>
Expected<bool> read_enum(const Json& object, const char* key, E& out, bool (*parse)(std::string_view, E&),
                         const char* allowed) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return false;
    if (!it->is_string()) return bad(key, "expected one of " + std::string(allowed) + ", got " + json_type_name(*it));
    const std::string text = to_lower(trim(it->get<std::string>()));
    if (!parse(text, out)) return bad(key, "unknown value \"" + text + "\"; expected one of " + allowed);
    return true;
}

}  // namespace

Expected<double> parse_token_count(const std::string& raw) {
    const std::string s = trim(raw);
    if (s.empty() || s.size() > 40) return bad("tokens", "expected a count such as 2T, 500B or 20M");
    const char* begin = s.c_str();
    char* end = nullptr;
    const double v = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(v)) return bad("tokens", "\"" + s + "\": expected a count such as 2T, 500B or 20M");
    const std::string unit = to_lower(trim(std::string(end)));
    double scale = 0;
    if (unit.empty()) scale = 1;
    else if (unit == "k") scale = 1e3;
    else if (unit == "m") scale = 1e6;
    else if (unit == "b" || unit == "g") scale = 1e9;
    else if (unit == "t") scale = 1e12;
    else return bad("tokens", "\"" + s + "\": unknown unit \"" + unit + "\" (use K, M, B or T)");
    const double count = v * scale;
    if (!(count >= 1) || count > 1e16) return bad("tokens", "\"" + s + "\": must be between 1 and 1e16 tokens");
    return count;
}

Expected<TrainingOptions> training_options_from_json(const Json& object) {
    if (!object.is_object()) return make_error(kCode, "training request: expected an object, got " + json_type_name(object));
    TrainingOptions o;
    Expected<bool> r = read_enum(object, "method", o.method, parse_train_method, "full, lora, qlora");
    if (!r) return r.error();
    r = read_enum(object, "optimizer", o.optimizer, parse_train_optimizer,
                  "adamw, adamw8bit, paged_adamw8bit, sgd, sgd_momentum, adafactor, lion");
    if (!r) return r.error();
    const bool optimizer_given = r.value();
    if (!optimizer_given && o.method == TrainMethod::qlora) o.optimizer = TrainOptimizer::paged_adamw8bit;
    r = read_enum(object, "precision", o.precision, parse_train_precision, "fp32, mixed_bf16, mixed_fp16, bf16");
    if (!r) return r.error();
    r = read_enum(object, "attention", o.attention, parse_train_attention, "flash, eager");
    if (!r) return r.error();

    // checkpointing: a boolean (true = full) or a name. QLoRA turns it on unless told otherwise,
    // as PEFT's prepare_model_for_kbit_training does (use_gradient_checkpointing=True by default).
    if (o.method == TrainMethod::qlora) o.checkpointing = Checkpointing::full;
    if (const auto it = object.find("checkpointing"); it != object.end() && !it->is_null()) {
        if (it->is_boolean()) {
            o.checkpointing = it->get<bool>() ? Checkpointing::full : Checkpointing::none;
        } else {
            r = read_enum(object, "checkpointing", o.checkpointing, parse_checkpointing, "true, false, none, selective, full");
            if (!r) return r.error();
        }
    }
    // lora_targets: a string or an array of names.
    if (const auto it = object.find("lora_targets"); it != object.end() && !it->is_null()) {
        std::string text;
        if (it->is_string()) {
            text = to_lower(trim(it->get<std::string>()));
        } else if (it->is_array() && !it->empty()) {
            for (const Json& v : *it) {
                if (!v.is_string()) return bad("lora_targets", "array elements must be strings such as \"q\" or \"down_proj\"");
                text += (text.empty() ? "" : ",") + to_lower(trim(v.get<std::string>()));
            }
        } else {
            return bad("lora_targets", "expected \"all\", \"attn\", a list such as \"q,k,v,o\" or an array of names");
        }
        if (!parse_lora_targets(text, o.lora_targets)) {
            return bad("lora_targets", "unknown value \"" + text + "\"; expected all, attn, or a list of q, k, v, o, gate, up, down");
        }
    }
    // zero: 0|1|2|3|"fsdp" (also "none", "zero1".."zero3", "3").
    if (const auto it = object.find("zero"); it != object.end() && !it->is_null()) {
        const char* allowed = "0, 1, 2, 3, fsdp";
        if (it->is_number_integer()) {
            const std::int64_t z = it->get<std::int64_t>();
            if (z < 0 || z > 3) return bad("zero", "unknown value " + std::to_string(z) + "; expected one of " + allowed);
            static const Sharding stages[] = {Sharding::none, Sharding::zero1, Sharding::zero2, Sharding::zero3};
            o.sharding = stages[z];
        } else if (it->is_string()) {
            const std::string t = to_lower(trim(it->get<std::string>()));
            if (t == "0" || t == "ddp") o.sharding = Sharding::none;
            else if (t == "1") o.sharding = Sharding::zero1;
            else if (t == "2") o.sharding = Sharding::zero2;
            else if (t == "3") o.sharding = Sharding::zero3;
            else if (!parse_sharding(t, o.sharding)) return bad("zero", "unknown value \"" + t + "\"; expected one of " + allowed);
        } else {
            return bad("zero", "expected one of " + std::string(allowed) + ", got " + json_type_name(*it));
        }
    }
    // tokens: a number or a string with a unit.
    if (const auto it = object.find("tokens"); it != object.end() && !it->is_null()) {
        if (it->is_number()) {
            const double t = it->get<double>();
            if (!std::isfinite(t) || t < 0 || t > 1e16) return bad("tokens", "must be between 0 and 1e16");
            o.tokens = t;
        } else if (it->is_string()) {
            Expected<double> t = parse_token_count(it->get<std::string>());
            if (!t) return t.error();
            o.tokens = t.value();
        } else {
            return bad("tokens", "expected a number or a count such as \"2T\", got " + json_type_name(*it));
        }
    }

    FieldReader f(object, "training request");
    o.batch = f.integer("batch", o.batch, 1, 65536);
    o.seq = f.integer("seq", o.seq, 1, 16'777'216);
    o.lora_rank = f.integer("lora_rank", o.lora_rank, 1, 65536);
    o.lora_alpha = f.number("lora_alpha", o.lora_alpha, 0, 1e6);
    o.double_quant = f.boolean("double_quant", o.double_quant);
    o.offload_optimizer = f.boolean("offload_optimizer", o.offload_optimizer);
    o.chunked_loss = f.boolean("chunked_loss", o.chunked_loss);
    o.optimizer_in_backward = f.boolean("optimizer_in_backward", o.optimizer_in_backward);
    o.gpu_count = f.integer("count", o.gpu_count, 1, 65536);
    o.mfu = f.number("mfu", o.mfu, 1e-6, 1);
    o.price_usd_per_gpu_hour = f.number("price", o.price_usd_per_gpu_hour, 0, 1e5);
    o.outlet_watts = f.number("outlet_watts", o.outlet_watts, 1, 1e6);
    if (!f.ok()) return make_error(kCode, f.error().message);
    return o;
}

}  // namespace wif
