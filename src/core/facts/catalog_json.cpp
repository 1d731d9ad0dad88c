// Reading the catalogs' JSON (models.json, devices.json, quants.json) into a Catalog: the CLI's and
// the full module's way in. The page's core starts from a binary snapshot instead
// (catalog_snapshot.hpp) and never links this file.
#include "facts/catalog.hpp"

#include "base/json_fields.hpp"
#include "facts/hf_config.hpp"

namespace wif {

namespace {

std::string entry_where(const std::string& file, const char* list, size_t i, const std::string& id) {
    return file + ": " + list + "[" + std::to_string(i) + "]" + (id.empty() ? "" : " (\"" + id + "\")");
}

Expected<bool> check_header(const Json& root, const std::string& file, const char* list) {
    FieldReader header(root, file);
    const std::int64_t version = header.integer("schema_version", 0, 0, 1000000, true);
    if (!header.ok()) return header.error();
    if (version != kSchemaVersion) {
        return make_error("unsupported_schema", file + ": schema_version " + std::to_string(version) +
                                                    " is not supported (this build reads version " +
                                                    std::to_string(kSchemaVersion) + ")");
    }
    if (!root.contains(list) || !root[list].is_array()) {
        return make_error("invalid_catalog", file + ": " + list + ": expected an array");
    }
    return true;
}

Expected<bool> load_models(const Json& root, const std::string& file, Catalog& c) {
    if (auto ok = check_header(root, file, "models"); !ok) return ok.error();
    {
        // Through FieldReader: Json::value() throws type_error for a non-string (issue 11).
        FieldReader header(root, file);
        c.models_date = header.string("catalog_date");
        if (!header.ok()) return header.error();
    }
    const Json& list = root["models"];
    for (size_t i = 0; i < list.size(); ++i) {
        const Json& item = list[i];
        const std::string id = item.is_object() && item.contains("id") && item["id"].is_string() ? item["id"].get<std::string>() : "";
        const std::string where = entry_where(file, "models", i, id);
        FieldReader f(item, where);
        ModelEntry m;
        m.id = f.string("id", "", true);
        m.name = f.string("name", "", true);
        m.family = f.string("family");
        m.hf_repo = f.string("hf_repo", "", true);
        m.aliases = f.strings("aliases");
        m.release_date = f.string("release_date");
        m.published_params = f.integer("published_params", 0, 1, 100'000'000'000'000LL, true);
        m.published_active_params = f.integer("published_active_params", 0, 0, 100'000'000'000'000LL);
        m.params_source = f.string("params_source");
        m.config_source = f.string("config_source");
        const std::int64_t vision = f.integer("vision_params", 0, 0, 100'000'000'000LL);
        if (!f.ok()) return f.error();
        if (!item.contains("config")) {
            f.fail("config", "missing (expected the model's config.json fields)");
            return f.error();
        }
        Expected<ModelArch> arch = arch_from_hf_config(item["config"], where, "config");
        if (!arch) return arch.error();
        m.arch = std::move(arch.value());
        m.arch.vision_params = vision;
        c.models.push_back(std::move(m));
    }
    return true;
}

Expected<bool> load_devices(const Json& root, const std::string& file, Catalog& c) {
    if (auto ok = check_header(root, file, "devices"); !ok) return ok.error();
    {
        // Through FieldReader: Json::value() throws type_error for a non-string (issue 11).
        FieldReader header(root, file);
        c.devices_date = header.string("catalog_date");
        if (!header.ok()) return header.error();
    }
    const Json& list = root["devices"];
    for (size_t i = 0; i < list.size(); ++i) {
        const Json& item = list[i];
        const std::string id = item.is_object() && item.contains("id") && item["id"].is_string() ? item["id"].get<std::string>() : "";
        FieldReader f(item, entry_where(file, "devices", i, id));
        Device d;
        d.id = f.string("id", "", true);
        d.name = f.string("name", "", true);
        d.vendor = f.string("vendor", "", true);
        const std::string kind = f.string("kind", "", true);
        d.segment = f.string("segment", "", true);
        d.aliases = f.strings("aliases");
        d.memory_gib = f.number("memory_gib", 0, 0.25, 65536, true);
        d.memory_type = f.string("memory_type");
        d.bandwidth_gbs = f.number("bandwidth_gbs", 0, 1, 100000, true);
        d.fp16_tflops = f.number("fp16_tflops", 0, 0, 100000);
        d.fp8_tflops = f.number("fp8_tflops", 0, 0, 100000);
        d.tdp_w = f.number("tdp_w", 0, 0, 100000);
        d.price_usd = f.number("price_usd", 0, 0, 10'000'000);
        d.cloud_usd_per_hour = f.number("cloud_usd_per_hour", 0, 0, 10000);
        const std::string backend = f.string("backend", "", true);
        d.release_year = f.integer("release_year", 0, 1990, 2100);
        d.usable_fraction = f.number("usable_fraction", 0, 0.05, 1);
        d.gpu_cores = f.integer("gpu_cores", 0, 0, 100000);
        d.source = f.string("source");
        if (!f.ok()) return f.error();
        if (kind == "gpu") d.kind = DeviceKind::gpu;
        else if (kind == "unified") d.kind = DeviceKind::unified;
        else if (kind == "cpu") d.kind = DeviceKind::cpu;
        else {
            f.fail("kind", "must be \"gpu\", \"unified\" or \"cpu\", got \"" + kind + "\"");
            return f.error();
        }
        if (!parse_backend(backend, d.backend)) {
            f.fail("backend", "must be cuda, rocm, metal, sycl, vulkan or cpu, got \"" + backend + "\"");
            return f.error();
        }
        c.devices.push_back(std::move(d));
    }
    return true;
}

Expected<bool> load_quants(const Json& root, const std::string& file, Catalog& c) {
    if (auto ok = check_header(root, file, "quants"); !ok) return ok.error();
    {
        // Through FieldReader: Json::value() throws type_error for a non-string (issue 11).
        FieldReader header(root, file);
        c.quants_date = header.string("catalog_date");
        if (!header.ok()) return header.error();
    }
    const Json& list = root["quants"];
    for (size_t i = 0; i < list.size(); ++i) {
        const Json& item = list[i];
        const std::string id = item.is_object() && item.contains("id") && item["id"].is_string() ? item["id"].get<std::string>() : "";
        FieldReader f(item, entry_where(file, "quants", i, id));
        QuantEntry q;
        QuantSpec& s = q.spec;
        s.id = f.string("id", "", true);
        s.name = f.string("name", "", true);
        const std::string family = f.string("family", "", true);
        q.aliases = f.strings("aliases");
        q.description = f.string("description", "", true);
        q.source = f.string("source");
        if (!f.ok()) return f.error();
        if (family == "dtype") {
            s.family = QuantFamily::dtype;
            s.bytes_per_param = f.number("bytes_per_param", 0, 0.125, 8, true);
        } else if (family == "gguf") {
            s.family = QuantFamily::gguf;
            const std::string ftype = f.string("ftype", s.id);
            if (f.ok() && !gguf_parse_ftype(ftype, s.ftype)) f.fail("ftype", "unknown llama.cpp file type \"" + ftype + "\"");
            s.imatrix = f.boolean("imatrix", false);
        } else if (family == "bnb") {
            s.family = QuantFamily::bnb;
            s.bits = static_cast<int>(f.integer("bits", 0, 4, 8, true));
            s.double_quant = f.boolean("double_quant", false);
            if (f.ok() && s.bits != 4 && s.bits != 8) f.fail("bits", "bitsandbytes stores 8 or 4 bits");
        } else if (family == "gptq" || family == "awq" || family == "mlx") {
            s.family = family == "gptq" ? QuantFamily::gptq : family == "awq" ? QuantFamily::awq : QuantFamily::mlx;
            s.bits = static_cast<int>(f.integer("bits", 0, 2, 8, true));
            s.group_size = static_cast<int>(f.integer("group_size", family == "mlx" ? 64 : 128, -1, 4096));
            if (f.ok() && (s.group_size == 0 || s.group_size < -1)) f.fail("group_size", "must be -1 (per channel) or positive");
        } else if (family == "exl2") {
            s.family = QuantFamily::exl2;
            s.bits_per_weight = f.number("bits_per_weight", 0, 2, 8.5, true);
            s.head_bits = static_cast<int>(f.integer("head_bits", 6, 2, 16));
        } else if (family == "mxfp4") {
            s.family = QuantFamily::mxfp4;
        } else {
            f.fail("family", "must be dtype, gguf, bnb, gptq, awq, exl2, mlx or mxfp4, got \"" + family + "\"");
        }
        if (!f.ok()) return f.error();
        c.quants.push_back(std::move(q));
    }
    return true;
}

}  // namespace

Expected<Catalog> load_catalog(const std::vector<CatalogText>& texts) {
    Catalog c;
    bool have_models = false, have_devices = false, have_quants = false;
    for (const CatalogText& t : texts) {
        Expected<Json> parsed = parse_json(t.text, t.name);
        if (!parsed) return parsed.error();
        const Json& root = parsed.value();
        if (!root.is_object()) return make_error("invalid_catalog", t.name + ": expected a JSON object at the top level");
        const std::string kind = root.contains("catalog") && root["catalog"].is_string() ? root["catalog"].get<std::string>() : "";
        Expected<bool> loaded = true;
        if (kind == "models") {
            loaded = load_models(root, t.name, c);
            have_models = true;
        } else if (kind == "devices") {
            loaded = load_devices(root, t.name, c);
            have_devices = true;
        } else if (kind == "quants") {
            loaded = load_quants(root, t.name, c);
            have_quants = true;
        } else {
            return make_error("invalid_catalog", t.name + ": catalog: expected \"models\", \"devices\" or \"quants\"");
        }
        if (!loaded) return loaded.error();
    }
    if (!have_models || !have_devices || !have_quants) {
        return make_error("invalid_catalog", std::string("missing catalog: ") + (!have_models ? "models " : "") +
                                                 (!have_devices ? "devices " : "") + (!have_quants ? "quants" : ""));
    }
    if (auto ok = c.build_index(); !ok) return ok.error();
    return c;
}

}  // namespace wif
