// What a question asks: the workload the answer must be about. The question parser reads it from
// the words; requests from the CLI and the page name it. An intent the core cannot answer yet is
// said so in the answer, never answered as a different question.
#pragma once

#include <cstdint>
#include <string_view>

namespace wif {

enum class Intent : std::uint8_t {
    memory,        // "will it fit?": inference memory on a device
    training,      // training or fine-tuning (full, LoRA, QLoRA, pretraining)
    speed,         // "how fast": tokens per second
    device_count,  // "how many GPUs do I need"
    what_fits,     // "what can I run on this device"
    serving,       // vLLM serving: KV budget and concurrent sequences
    sizes,         // a model and no hardware ("13b", "how much memory for llama 3.1 70b"): what it
                   // needs in the common formats and the smallest devices that hold it
};

constexpr const char* intent_name(Intent intent) {
    switch (intent) {
        case Intent::memory: return "memory";
        case Intent::training: return "training";
        case Intent::speed: return "speed";
        case Intent::device_count: return "device_count";
        case Intent::what_fits: return "what_fits";
        case Intent::serving: return "serving";
        case Intent::sizes: return "sizes";
    }
    return "memory";
}

inline bool parse_intent(std::string_view text, Intent& out) {
    for (Intent i : {Intent::memory, Intent::training, Intent::speed, Intent::device_count, Intent::what_fits, Intent::serving, Intent::sizes}) {
        if (text == intent_name(i)) {
            out = i;
            return true;
        }
    }
    return false;
}

}  // namespace wif
