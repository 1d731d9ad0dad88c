#include "request/request.hpp"

#include <cmath>
#include <cstdlib>

#include "facts/hf_config.hpp"

namespace wif {

namespace {

std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// Splits "24.5 GB" into 24.5 and "gb".
bool split_number(const std::string& text, double& value, std::string& unit) {
    const std::string s = trim(text);
    if (s.empty() || s.size() > 40) return false;
    const char* begin = s.c_str();
    char* end = nullptr;
    value = std::strtod(begin, &end);
    if (end == begin || !std::isfinite(value)) return false;
    unit = to_lower(trim(std::string(end)));
    return true;
}

// `unknown <what> "text"`, then the closest catalog ids, or `hint` when nothing is close.
template <class Entries, class Id>
Error unknown_name(const std::string& what, const std::string& text, const Entries& entries, Id id_of,
                   const std::vector<int>& candidates, const char* hint) {
    std::string message = "unknown " + what + " \"" + text + "\"";
    if (candidates.empty()) return make_error("unknown_" + what, message + hint);
    message += "; did you mean ";
    for (size_t i = 0; i < candidates.size() && i < 6; ++i) {
        message += (i ? ", " : "") + id_of(entries[static_cast<size_t>(candidates[i])]);
    }
    return make_error("unknown_" + what, message + "?");
}

}  // namespace

Expected<double> parse_size_gib(const std::string& text, const std::string& field) {
    double v = 0;
    std::string unit;
    if (!split_number(text, v, unit)) {
        return make_error("invalid_size", field + " \"" + text + "\": expected a size such as 24GB or 512MB");
    }
    double scale = 0;
    if (unit.empty() || unit == "gb" || unit == "gib" || unit == "g") scale = 1;  // as marketed: a "24GB" card has 24 GiB
    else if (unit == "mb" || unit == "mib" || unit == "m") scale = 1.0 / 1024;
    else if (unit == "tb" || unit == "tib" || unit == "t") scale = 1024;
    else return make_error("invalid_size", field + " \"" + text + "\": unknown unit \"" + unit + "\" (use GB, MB or TB)");
    const double gib = v * scale;
    if (!(gib > 0) || gib > kMaxSizeGib) {
        return make_error("invalid_size", field + " \"" + text + "\": must be more than 0 and at most 1 PB");
    }
    return gib;
}

Expected<std::int64_t> parse_param_count(const std::string& text) {
    double v = 0;
    std::string unit;
    if (!split_number(text, v, unit)) {
        return make_error("invalid_params", "params \"" + text + "\": expected a count such as 7B, 1.5b or 405M");
    }
    double scale = 0;
    if (unit == "b" || unit == "bn" || unit == "billion" || unit == "g") scale = 1e9;
    else if (unit == "m" || unit == "million") scale = 1e6;
    else if (unit == "t" || unit == "trillion") scale = 1e12;
    else if (unit.empty() && v >= 1e6) scale = 1;
    else if (unit.empty()) return make_error("invalid_params", "params \"" + text + "\": add a unit, e.g. " + trim(text) + "B");
    else return make_error("invalid_params", "params \"" + text + "\": unknown unit \"" + unit + "\" (use B, M or T)");
    const double count = v * scale;
    if (!(count >= 1e8) || count > 3e12) {
        return make_error("params_out_of_range", "params \"" + text + "\": must be between 0.1B and 3T");
    }
    return static_cast<std::int64_t>(std::llround(count));
}

Expected<Request> request_from_json(const Json& object) {
    FieldReader f(object, "request");
    if (!f.ok()) return f.error();
    Request r;
    r.model = f.string("model");
    r.quant = f.string("quant");
    r.device = f.string("device");
    r.device_kind = f.string("device_kind");
    r.kv_type = f.string("kv_type");
    r.engine = f.string("engine");
    r.engine_version = f.string("engine_version");
    if (f.has("flash_attn")) {
        const Json& fa = object.at("flash_attn");
        if (fa.is_boolean()) r.flash_attn = fa.get<bool>() ? "on" : "off";
        else r.flash_attn = f.string("flash_attn", "auto");
    }
    // Ranges and defaults from the schema (request/schema.hpp).
    auto integer = [&](const FieldRange& s) {
        return f.integer(s.key, static_cast<std::int64_t>(s.fallback), static_cast<std::int64_t>(s.min), static_cast<std::int64_t>(s.max));
    };
    auto number = [&](const FieldRange& s) { return f.number(s.key, s.fallback, s.min, s.max); };
    r.count = static_cast<int>(integer(range("count")));
    r.ctx = integer(range("ctx"));
    r.batch = integer(range("batch"));
    r.ubatch = integer(range("ubatch"));
    r.wired_limit_mb = number(range("wired_limit_mb"));
    r.gpu_memory_utilization = number(range("gpu_memory_utilization"));
    r.ngl = integer(range("ngl"));
    if (f.has("n_cpu_moe") && object.at("n_cpu_moe").is_string() && to_lower(object.at("n_cpu_moe").get<std::string>()) == "all") {
        r.n_cpu_moe = -1;  // --cpu-moe: every layer's experts
    } else {
        r.n_cpu_moe = integer(range("n_cpu_moe"));
    }
    r.prompt = integer(range("prompt"));
    r.depth = integer(range("depth"));
    r.bandwidth_efficiency = number(range("bandwidth_efficiency"));
    r.compute_efficiency = number(range("compute_efficiency"));
    r.ram_bandwidth_gbs = number(range("ram_bandwidth"));
    r.max_model_len = integer(range("max_model_len"));
    const std::string intent = f.string("intent", "memory");
    const std::string units = to_lower(f.string("units", "gb"));
    if (!f.ok()) return f.error();
    if (units == "gib") r.units = Units::gib;
    else if (units != "gb") return make_error("invalid_units", "units: expected \"gb\" or \"gib\", got \"" + units + "\"");
    if (!parse_intent(intent, r.intent)) {
        return make_error("invalid_intent", "intent: expected memory, training, speed, device_count or what_fits, got \"" + intent + "\"");
    }
    if (f.has("training")) {
        if (!object.at("training").is_object()) return make_error("invalid_request", "training: expected an object of training options");
        r.training = object.at("training");
    }

    if (f.has("hf_config")) {
        const Json& cfg = object.at("hf_config");
        if (cfg.is_string()) r.hf_config = cfg.get<std::string>();
        else if (cfg.is_object()) r.hf_config_object = cfg;
        else return make_error("invalid_request", "hf_config: expected config.json text or object");
    }
    // Sizes: numbers are GB (as marketed), strings carry units.
    auto size = [&](const char* key, double fallback) -> Expected<double> {
        if (!f.has(key)) return fallback;
        const Json& v = object.at(key);
        if (v.is_number()) {
            const double d = v.get<double>();
            if (!std::isfinite(d) || d < 0 || d > kMaxSizeGib) return make_error("invalid_size", std::string(key) + ": must be between 0 and 1048576 GB");
            return d;
        }
        if (v.is_string()) return parse_size_gib(v.get<std::string>(), key);
        return make_error("invalid_size", std::string(key) + ": expected a size such as \"24GB\"");
    };
    Expected<double> memory = size("memory", 0);
    if (!memory) return memory.error();
    r.memory_gib = memory.value();
    Expected<double> ram = size("ram", 0);
    if (!ram) return ram.error();
    r.ram_gib = ram.value();
    Expected<double> reserve = size("reserve", -1);
    if (!reserve) return reserve.error();
    r.reserve_gib = reserve.value();
    if (f.has("params")) {
        const Json& p = object.at("params");
        if (p.is_number()) {
            const double v = p.get<double>();
            if (!std::isfinite(v) || v < 1e8 || v > 3e12) return make_error("params_out_of_range", "params: must be between 0.1B and 3T");
            r.params = static_cast<std::int64_t>(std::llround(v));
        } else if (p.is_string()) {
            Expected<std::int64_t> count = parse_param_count(p.get<std::string>());
            if (!count) return count.error();
            r.params = count.value();
        } else {
            return make_error("invalid_params", "params: expected a count such as \"7B\"");
        }
    }
    return r;
}

Expected<QuantSpec> resolve_quant(const Catalog& c, const std::string& text) {
    const Lookup l = c.find_quant(text);
    if (l.index >= 0) return c.quants[static_cast<size_t>(l.index)].spec;
    if (text.find(':') != std::string::npos || (text.size() > 3 && to_lower(text.substr(text.size() - 3)) == "bpw")) {
        return parse_quant_spec(text);
    }
    return unknown_name("quant", text, c.quants, [](const QuantEntry& q) { return q.spec.id; }, l.candidates,
                        " (the catalog lists the formats it knows; ad-hoc forms: exl2:4.65, gptq:4:128, awq:4:128, mlx:4:64)");
}

Expected<ResolvedRequest> resolve_request(const Catalog& c, const Request& r) {
    ResolvedRequest out;
    const bool has_config = !r.hf_config.empty() || r.hf_config_object.is_object();
    const int given = (!r.model.empty()) + has_config + (r.params > 0) + (r.model_file != nullptr);
    // "What can I run on this?" names no model: the answer goes through the catalog.
    const bool any_model = given == 0 && r.intent == Intent::what_fits;
    if (given == 0 && !any_model) return make_error("missing_model", "give a model (a catalog name, a config.json or a parameter count such as 7B)");
    if (given > 1) return make_error("conflicting_model", "give only one of a model name, a config.json, a model file and a parameter count");

    // Model.
    if (any_model) {
        // No model: model_options goes through the catalog.
    } else if (r.model_file) {
#ifdef WIF_PAGE_CORE
        // Model files are read by the page's file reader, which comes with the full module.
        return make_error("module_needed", "a model file is read by the full module (willitfit-full)");
#else
        // The file's header: its shape for the KV cache and buffers, its exact bytes for the weights.
        const ModelFile& f = *r.model_file;
        if (!f.arch_known) {
            return make_error("unsupported_architecture", "the file's architecture (" + f.architecture +
                                                              ") is not one this calculator can size the KV cache for");
        }
        if (Expected<bool> valid = validate_arch(f.arch); !valid) return valid.error();
        out.model = prepare_model("file", f.name.empty() ? "the model in the file (" + f.architecture + ")" : f.name, f.arch);
        out.file_weights = weight_breakdown(f);
        out.assumptions.push_back("weights: " + format_bytes(f.weight_bytes, r.units) + " read from the file's header (" +
                                  std::to_string(f.tensors.size()) + " tensors), not predicted");
#endif
    } else if (!r.model.empty()) {
        const Lookup l = c.find_model(r.model);
        if (l.index < 0) {
            // "7B" given as a model name is a parameter count.
            Expected<std::int64_t> count = parse_param_count(r.model);
            if (!count) {
                const bool repo_id = r.model.find('/') != std::string::npos;
                return unknown_name("model", r.model, c.models, [](const ModelEntry& m) { return m.id; }, l.candidates,
                                    repo_id ? "; it is not in the catalog: give its config.json instead"
                                            : " (the catalog lists the models it knows)");
            }
            Request copy = r;
            copy.model.clear();
            copy.params = count.value();
            return resolve_request(c, copy);
        }
        const ModelEntry& m = c.models[static_cast<size_t>(l.index)];
        out.model = prepare_model(m.id, m.name, m.arch);
        out.published_params = m.published_params;
        out.published_active_params = m.published_active_params;
        out.hf_repo = m.hf_repo;
    } else if (has_config) {
#ifdef WIF_PAGE_CORE
        // The page reads config.json with its file reader, which comes with the full module; the
        // first download leaves the config reader out (about 4 KB gzipped).
        return make_error("module_needed", "a model given by its config.json is read by the full module (willitfit-full)");
#else
        Expected<ModelArch> arch = r.hf_config_object.is_object() ? arch_from_hf_config(r.hf_config_object, "hf_config")
                                                                   : arch_from_hf_config_text(r.hf_config, "config.json");
        if (!arch) return arch.error();
        out.model = prepare_model("custom", "the model in config.json (" + arch->model_type + ")", arch.value());
#endif
    } else {
        Expected<AssumedShape> shape = assume_shape(r.params);
        if (!shape) return shape.error();
        const ModelArch& a = shape->arch;
        const std::string shape_text = "shape assumed for a " + format_params(r.params) + " model: dense, like " +
                                       shape->reference + " (" + std::to_string(a.num_hidden_layers) + " layers, hidden " +
                                       std::to_string(a.hidden_size) + ", " + std::to_string(a.num_key_value_heads) +
                                       " KV heads x " + std::to_string(a.head_dim) + ")";
        out.model = prepare_model(format_params(r.params), "a " + format_params(r.params) + " model", a, shape_text);
        out.assumptions.push_back(shape_text);
    }

    // Weight format.
    if (r.model_file && r.quant.empty()) {
        // The file's own type ("Q4_K_M"); its exact bytes replace the recipe's prediction.
        const ModelFile& f = *r.model_file;
        const std::string type = !f.file_type.empty() ? f.file_type : f.format == "safetensors" ? "bf16" : "F16";
        Expected<QuantSpec> q = resolve_quant(c, type);
        if (!q) q = resolve_quant(c, f.format == "safetensors" ? "bf16" : "F16");
        if (!q) return q.error();
        out.quant = q.value();
    } else if (any_model && r.quant.empty()) {
        // The format most local downloads come in [llama.cpp/ollama default quant for GGUF files].
        Expected<QuantSpec> q = resolve_quant(c, "Q4_K_M");
        if (!q) return q.error();
        out.quant = q.value();
        out.assumptions.push_back("format: Q4_K_M (the usual download for running models locally); name another to compare");
    } else if (!r.quant.empty()) {
        Expected<QuantSpec> q = resolve_quant(c, r.quant);
        if (!q) return q.error();
        out.quant = q.value();
    } else {
        const ModelArch& a = out.model.arch;
        std::string id = a.torch_dtype == "float16" ? "fp16" : a.torch_dtype == "float32" ? "fp16" : "bf16";
        std::string why = "the checkpoint's 16-bit dtype; most published checkpoints are 16-bit";
        if (a.native_quant == "mxfp4") {
            id = "mxfp4";
            why = "how the checkpoint is published";
        } else if (a.native_quant == "fp8") {
            id = "fp8";
            why = "how the checkpoint is published";
        } else if (r.params > 0 || has_config) {
            id = "fp16";
            why = "most published checkpoints are 16-bit";
        }
        Expected<QuantSpec> q = resolve_quant(c, id);
        if (!q) return q.error();
        out.quant = q.value();
        out.assumptions.push_back("precision: " + out.quant.id + " (" + why + ")");
    }

    // Device.
    if (!r.device.empty() && r.memory_gib > 0) return make_error("conflicting_device", "give either a device or a memory size, not both");
    if (!(r.memory_gib >= 0 && r.memory_gib <= kMaxSizeGib)) return make_error("invalid_size", "memory: must be more than 0 and at most 1 PB");
    if (!(r.ram_gib >= 0 && r.ram_gib <= kMaxSizeGib)) return make_error("invalid_size", "ram: must be at most 1 PB");
    if (!(r.wired_limit_mb >= 0 && r.wired_limit_mb <= 1e9)) return make_error("invalid_size", "wired_limit_mb: out of range");
    if (!r.device.empty()) {
        const Lookup l = c.find_device(r.device);
        if (l.index < 0) {
            Expected<double> as_size = parse_size_gib(r.device, "device");
            if (!as_size) {
                return unknown_name("device", r.device, c.devices, [](const Device& d) { return d.id; }, l.candidates,
                                    " (the catalog lists the devices it knows; or give a memory size such as 24GB)");
            }
            Request copy = r;
            copy.device.clear();
            copy.memory_gib = as_size.value();
            return resolve_request(c, copy);
        }
        out.device = c.devices[static_cast<size_t>(l.index)];
    } else if (r.memory_gib > 0) {
        DeviceKind kind = DeviceKind::gpu;
        const std::string k = to_lower(r.device_kind);
        if (k == "unified" || k == "mac" || k == "apple") kind = DeviceKind::unified;
        else if (k == "cpu" || k == "ram") kind = DeviceKind::cpu;
        else if (!k.empty() && k != "gpu") return make_error("invalid_device_kind", "device_kind: expected gpu, unified or cpu, got \"" + r.device_kind + "\"");
        out.device = custom_device(r.memory_gib, kind);
        if (kind == DeviceKind::gpu) out.assumptions.push_back("device: a GPU with " + format_sig3(r.memory_gib) + " GB (CUDA)");
    } else if (r.intent == Intent::sizes) {
        // No device: the answer tries every catalog device; this stand-in is never shown.
        out.device = custom_device(1, DeviceKind::gpu);
    } else if (r.intent == Intent::training) {
        // "What would pretraining a 7B cost?" names no GPU: figured on the usual training GPU, said so.
        const Lookup l = c.find_device(kDefaultTrainingDevice);
        if (l.index < 0) return make_error("missing_device", "give a device or a memory size such as 24GB");
        out.device = c.devices[static_cast<size_t>(l.index)];
        out.assumptions.push_back("device: " + out.device.name + " (no GPU named; the usual GPU for training)");
    } else {
        return make_error("missing_device", "give a device or a memory size such as 24GB");
    }

    // Options.
    InferenceOptions& o = out.options;
    if (!r.engine.empty()) {
        Engine e;
        if (!parse_engine(r.engine, e)) {
            return make_error("unknown_engine", "unknown engine \"" + r.engine + "\" (llama.cpp, ollama, vllm, transformers, mlx, exllamav2)");
        }
        o.engine = e;
    }
    if (!r.kv_type.empty()) {
        KvType t;
        if (!parse_kv_type(r.kv_type, t)) {
            return make_error("unknown_kv_type", "unknown KV cache type \"" + r.kv_type + "\" (f16, bf16, fp8, q8_0, q4_0, ...)");
        }
        o.kv_type = t;
        // A ggml cache type (q8_0, q4_0, ...) means llama.cpp when no engine is named.
        if (!o.engine && t != KvType::f16 && t != KvType::bf16 && t != KvType::f32 && t != KvType::fp8) {
            o.engine = Engine::llama_cpp;
            out.assumptions.push_back(std::string("engine: llama.cpp (a ") + kv_type_name(t) + " KV cache is llama.cpp's)");
        }
    }
    if (r.model_file && r.model_file->format.rfind("gguf", 0) == 0 && !o.engine && r.intent != Intent::serving) {
        // A GGUF file is run by llama.cpp (or ollama), whatever its tensor types: an F16 GGUF is
        // not a transformers checkpoint.
        o.engine = Engine::llama_cpp;
        out.assumptions.push_back("engine: llama.cpp (the model is a GGUF file)");
    }
    if (r.n_cpu_moe != 0 && !o.engine && r.intent != Intent::serving) {
        // --n-cpu-moe is llama.cpp's option: it decides the engine when none is named.
        o.engine = Engine::llama_cpp;
        out.assumptions.push_back("engine: llama.cpp (--n-cpu-moe is a llama.cpp option)");
    }
    if (!parse_engine_version(r.engine_version, o.engine_version)) {
        return make_error("unknown_engine_version", "unknown engine_version \"" + r.engine_version + "\" (latest, llama.cpp-2025.10, vllm-v0)");
    }
    const std::string fa = to_lower(r.flash_attn);
    if (fa == "on" || fa == "true" || fa == "1") o.flash_attn = FlashAttn::on;
    else if (fa == "off" || fa == "false" || fa == "0") o.flash_attn = FlashAttn::off;
    else if (fa == "auto" || fa.empty()) o.flash_attn = FlashAttn::automatic;
    else return make_error("invalid_flash_attn", "flash_attn: expected on, off or auto, got \"" + r.flash_attn + "\"");
    o.gpu_count = r.count;
    o.context = r.ctx;
    o.sequences = r.batch;
    o.ubatch = r.ubatch;
    o.system_ram = r.ram_gib > 0 ? round_bytes(r.ram_gib * GiB) : 0;
    o.usable.wired_limit_mb = r.wired_limit_mb;
    o.usable.reserve_bytes = r.reserve_gib >= 0 ? round_bytes(r.reserve_gib * GiB) : -1;
    o.gpu_memory_utilization = r.gpu_memory_utilization;
    o.units = r.units;
    o.ngl = r.ngl;
    o.n_cpu_moe = r.n_cpu_moe;
    out.intent = r.intent;
    out.any_model = any_model;
    out.speed.prompt_tokens = r.prompt;
    out.speed.depth = r.depth;
    out.speed.bandwidth_efficiency = r.bandwidth_efficiency;
    out.speed.compute_efficiency = r.compute_efficiency;
    out.speed.system_ram_bandwidth_gbs = r.ram_bandwidth_gbs;
    out.serving.max_model_len = r.max_model_len;
    out.serving.gpu_memory_utilization = r.gpu_memory_utilization;
    out.serving.bandwidth_efficiency = r.bandwidth_efficiency;
    out.serving.compute_efficiency = r.compute_efficiency;
    if (r.intent == Intent::serving) o.engine = Engine::vllm;
    return out;
}

}  // namespace wif
