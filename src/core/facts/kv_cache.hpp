// KV cache: what each engine allocates per layer for a context, sequence count and cache type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts/architecture.hpp"
#include "facts/engine.hpp"
#include "base/expected.hpp"
#include "base/units.hpp"

namespace wif {

// Cache element types. q*_0/q*_1/iq4_nl are ggml block types (llama.cpp -ctk/-ctv); fp8 is
// vLLM's --kv-cache-dtype fp8 (one byte per element).
enum class KvType : std::uint8_t { f32, f16, bf16, fp8, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl };

const char* kv_type_name(KvType type);
bool parse_kv_type(std::string_view text, KvType& out);
bool kv_type_is_quantized(KvType type);
// Bytes of a row of `elements` cache values (ggml_row_size for block types).
bytes_t kv_row_bytes(KvType type, std::int64_t elements);

struct KvRequest {
    Engine engine = Engine::llama_cpp;
    std::int64_t context = 4096;    // tokens each sequence can hold
    std::int64_t sequences = 1;     // sequences decoded together (parallel slots / batch)
    KvType type_k = KvType::f16;
    KvType type_v = KvType::f16;
    bool flash_attn = true;
    std::int64_t ubatch = 512;                 // llama.cpp -ub
    std::int64_t max_num_batched_tokens = 2048;  // vLLM scheduler budget (sliding-window blocks)
    // vLLM --mamba-ssm-cache-dtype for hybrids; unset = the engine's default for the model.
    std::optional<KvType> state_type;
    std::int64_t llama_pad = 256;   // llama.cpp/ollama cell padding (older builds: 32 without flash attention, see EngineVersion)

    bool operator==(const KvRequest&) const = default;
};

struct KvCache {
    bytes_t total = 0;                 // attention KV + recurrent state
    std::vector<bytes_t> layers;       // per repeating block, its recurrent state included
    std::int64_t cells_full = 0;       // cells of a full-attention layer
    std::int64_t cells_swa = 0;        // cells of a sliding-window or chunked layer (0 if none)
    std::int64_t full_layers = 0;      // attention layers that see the whole context
    std::int64_t swa_layers = 0;       // attention layers that see a window or a chunk
    std::int64_t k_elements = 0;       // per cell per layer
    std::int64_t v_elements = 0;
    bytes_t bytes_per_cell = 0;        // one cell in every full-attention layer, K and V
    std::string layout;                // how the cells were counted, in words

    // Recurrent state of hybrid models (Mamba-2, gated DeltaNet): a fixed size per sequence and
    // layer that does not grow with the context. Included in `total` and in `layers`.
    bytes_t state_bytes = 0;           // every recurrent layer, every sequence slot
    std::int64_t recurrent_layers = 0;
    std::int64_t state_slots = 0;      // sequences that keep a state (llama.cpp n_seq_max, vLLM one per request)
    std::int64_t conv_elements = 0;    // convolution state per layer and sequence (llama.cpp n_embd_r)
    std::int64_t ssm_elements = 0;     // scan state per layer and sequence (llama.cpp n_embd_s)
    KvType conv_type = KvType::f32;
    KvType ssm_type = KvType::f32;
    bytes_t state_bytes_per_slot = 0;  // one layer, one sequence, as allocated (vLLM pads it to a page)
    std::vector<bytes_t> state_layers;  // per block when the model has recurrent layers, else empty

    // The attention KV of block il, its recurrent state left out.
    bytes_t attention_bytes(std::int64_t il) const {
        if (il < 0 || static_cast<size_t>(il) >= layers.size()) return 0;
        return layers[static_cast<size_t>(il)] - (state_layers.empty() ? 0 : state_layers[static_cast<size_t>(il)]);
    }
    // True when a product or sum passed kMaxBytes (1 EiB, base/checked.hpp): the byte fields are
    // then clamped to kMaxBytes, never wrapped. Callers should report "out of range".
    bool out_of_range = false;
};

// Checks the cache type against the engine (ollama: f16/q8_0/q4_0; vLLM: f16/bf16/fp8; a
// quantized V cache needs flash attention in llama.cpp, ...).
Expected<bool> check_kv_types(Engine engine, KvType type_k, KvType type_v, bool flash_attn);

KvCache compute_kv_cache(const ModelArch& arch, const KvRequest& request);

}  // namespace wif
