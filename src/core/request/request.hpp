// A request as scripts and the page state it (catalog names, sizes with units), resolved
// against the catalogs into the inputs of estimate_inference, with every assumption said.
//
// The CLI turns its flags into the same JSON object the page passes, so both share one parser.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "facts/catalog.hpp"
#include "pipeline/estimate.hpp"
#include "base/expected.hpp"
#include "base/json_fields.hpp"
#include "request/intent.hpp"
#include "request/schema.hpp"
#include "files/model_file.hpp"
#include "workloads/serving.hpp"
#include "workloads/speed.hpp"
#include "workloads/training.hpp"

namespace wif {

struct Request {
    Intent intent = Intent::memory;
    std::string model;         // catalog id, alias or Hugging Face repo id
    std::string hf_config;     // config.json text (alternative to model)
    Json hf_config_object;     // or the same as a parsed object (null when absent)
    std::int64_t params = 0;   // bare parameter count (alternative to model)
    std::string quant;         // catalog id or family:bits form; empty: 16-bit
    std::string device;        // catalog id or name
    double memory_gib = 0;     // bare memory size instead of a device
    std::string device_kind;   // with memory: gpu | unified | cpu (default gpu)
    int count = 1;
    std::int64_t ctx = 0;
    std::int64_t batch = 1;
    std::int64_t ubatch = 512;
    std::string kv_type;
    std::string engine;
    std::string flash_attn = "auto";
    std::string engine_version;  // latest | llama.cpp-2025.10 | vllm-v0 (facts/engine.hpp EngineVersion)
    double ram_gib = 0;
    double wired_limit_mb = 0;
    double reserve_gib = -1;
    double gpu_memory_utilization = 0.9;
    Units units = Units::gb;
    Json training = Json::object();  // training options as training_options_from_json reads them
    std::int64_t ngl = -1;           // llama.cpp -ngl
    std::int64_t n_cpu_moe = 0;      // llama.cpp --n-cpu-moe (-1: every layer, --cpu-moe)
    std::int64_t prompt = 512;       // speed: prefill prompt length
    std::int64_t depth = 0;          // speed: tokens already in context
    double bandwidth_efficiency = 0;
    double compute_efficiency = 0;
    double ram_bandwidth_gbs = 0;
    std::int64_t max_model_len = 0;  // serving
    // A model read from a file's header (GGUF, safetensors): its shape and exact tensor bytes.
    // Set by the CLI (--gguf, --safetensors) and the page's file reader; not a JSON field.
    std::shared_ptr<const ModelFile> model_file;
};

// Reads {"model": ..., "quant": ..., "device": ..., "memory": "24GB", "ctx": 8192, ...}.
// Sizes accept numbers (GB) or strings with units ("24GB", "24 GiB", "512MB").
Expected<Request> request_from_json(const Json& object);

// "24GB" -> GiB; "7B", "1.5b", "7 billion", "405M" -> parameters. Errors say what was wrong.
Expected<double> parse_size_gib(const std::string& text, const std::string& field);
Expected<std::int64_t> parse_param_count(const std::string& text);

// Where a training question names no GPU [Llama 2 and most published runs train on A100/H100].
inline constexpr const char* kDefaultTrainingDevice = "h100-sxm";

struct ResolvedRequest {
    Intent intent = Intent::memory;
    bool any_model = false;    // what_fits: no model named; `model` is unset
    PreparedModel model;
    QuantSpec quant;
    Device device;
    InferenceOptions options;
    SpeedOptions speed;
    TrainingOptions training;  // intent training only
    ServingOptions serving;
    std::optional<WeightBreakdown> file_weights;  // exact weights from a model file
    std::int64_t published_params = 0;
    std::int64_t published_active_params = 0;
    std::string hf_repo;
    std::vector<std::string> assumptions;
};

Expected<ResolvedRequest> resolve_request(const Catalog& catalog, const Request& request);

// Finds a quant by catalog name or ad-hoc form ("exl2:4.65").
Expected<QuantSpec> resolve_quant(const Catalog& catalog, const std::string& text);

}  // namespace wif
