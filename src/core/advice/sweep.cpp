#include "advice/sweep.hpp"

#include <algorithm>
#include <string>

#include "pipeline/placement.hpp"

namespace wif {

SweepResult sweep_catalog(const Catalog& c, std::int64_t context, bool keep_rows) {
    SweepResult out;
    if (keep_rows) out.rows.reserve(c.models.size() * c.quants.size() * c.devices.size());
    InferenceOptions o;
    o.context = context;
    o.explain = false;
    // Devices with the same backend, kind and vLLM size class share requirements for any format.
    std::vector<int> device_class(c.devices.size());
    std::vector<const Device*> representative;
    {
        std::vector<std::string> keys;
        for (size_t i = 0; i < c.devices.size(); ++i) {
            const Device& d = c.devices[i];
            const std::string key = std::string(backend_name(d.backend)) + device_kind_name(d.kind) +
                                    ((d.memory_gib >= 70 && d.id.rfind("a100", 0) != 0) ? "big" : "small");
            auto it = std::find(keys.begin(), keys.end(), key);
            if (it == keys.end()) {
                keys.push_back(key);
                representative.push_back(&d);
                device_class[i] = static_cast<int>(keys.size() - 1);
            } else {
                device_class[i] = static_cast<int>(it - keys.begin());
            }
        }
    }
    // Budgets depend on the device and on whether vLLM takes its gpu_memory_utilization share.
    std::vector<DeviceBudget> budget(c.devices.size()), vllm_budget(c.devices.size());
    for (size_t i = 0; i < c.devices.size(); ++i) {
        budget[i] = device_budget(c.devices[i], Engine::llama_cpp, o);
        vllm_budget[i] = device_budget(c.devices[i], Engine::vllm, o);
    }
    // The engine each format implies on each device class, decided once.
    std::vector<Expected<EngineChoice>> choices;
    choices.reserve(c.quants.size() * representative.size());
    for (const QuantEntry& q : c.quants) {
        for (const Device* rep : representative) choices.push_back(choose_engine(q.spec, *rep, o.engine));
    }
    EstimateCache cache;
    RunPlan plan;
    std::vector<Needs> needs(representative.size());
    std::vector<char> runnable(representative.size());
    for (size_t mi = 0; mi < c.models.size(); ++mi) {
        const ModelEntry& entry = c.models[mi];
        const PreparedModel m = prepare_model(entry.id, entry.name, entry.arch);
        cache.clear();
        for (size_t qi = 0; qi < c.quants.size(); ++qi) {
            const QuantSpec& q = c.quants[qi].spec;
            // The same sums estimate_requirements takes, from memoized weights, caches and buffers.
            for (size_t k = 0; k < representative.size(); ++k) {
                const Expected<EngineChoice>& choice = choices[qi * representative.size() + k];
                runnable[k] = choice && fill_plan(m, choice.value(), q, *representative[k], o, plan).ok();
                const WeightBreakdown* w = runnable[k] ? cache.weights(m, plan.quant) : nullptr;
                runnable[k] = w != nullptr;
                if (!w) continue;
                const KvCache& kv = cache.kv(m.arch, plan.kv);
                const RuntimeTotals& rt = cache.runtime(m.arch, kv, plan.runtime);
                needs[k] = needs_from(split_weights(*w, m.arch, plan.engine, plan.cpu_only), kv, rt, *w, plan.engine, plan.cpu_only);
            }
            for (size_t di = 0; di < c.devices.size(); ++di) {
                const size_t k = static_cast<size_t>(device_class[di]);
                SweepRow row;
                row.model = static_cast<std::uint16_t>(mi);
                row.quant = static_cast<std::uint16_t>(qi);
                row.device = static_cast<std::uint16_t>(di);
                if (!runnable[k]) {
                    ++out.unsupported;
                } else {
                    const Placement p = place_on_device(needs[k], m.arch, needs[k].engine == Engine::vllm ? vllm_budget[di] : budget[di]);
                    row.verdict = static_cast<std::int8_t>(p.verdict);
                    row.gpu_bytes = needs[k].gpu_bytes;
                    row.gpu_layers = p.gpu_layers;
                    if (p.verdict == Verdict::fits) ++out.fits;
                    else if (p.verdict == Verdict::fits_with_offload) ++out.offload;
                    else ++out.no;
                }
                if (keep_rows) out.rows.push_back(row);
            }
        }
    }
    return out;
}

}  // namespace wif
