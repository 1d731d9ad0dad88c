#!/usr/bin/env python3
"""Builds tests/validation/points.json from the measured-data files under tests/data/ and
tests/validation/sources/.

Run from the repository root:  python3 tests/validation/make_points.py
The three source files stay as they are (other tests read them); this script only gathers their
figures into one set with one shape. No figure is computed here: "value" is the printed figure
times its unit (GB = 1e9 bytes, GiB = 2^30, MiB = 2^20, MB = 1e6), as the source states it.
"""
import json, os, re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DATA = os.path.join(ROOT, "tests", "data")
UNIT = {"GB": 1e9, "GiB": 2**30, "MiB": 2**20, "MB": 1e6}


def load(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


points = []


def add(p):
    assert p["id"] not in {q["id"] for q in points}, p["id"]
    points.append(p)


pub = load("published_figures.json")

# ---- GGUF file sizes (Hugging Face model cards, llama.cpp quantize tables) ----------------------
for e in pub["gguf_file_sizes"]:
    unit = e["unit"]
    p = {
        "id": "gguf-" + slug(e["model"].split("/")[-1]) + "-" + slug(e["quant"]) + ("-" + slug(e["file"]) if e.get("file") else ""),
        "category": "gguf_file",
        "engine": "llama.cpp",
        "citation": e["source"],
        "workload": {"model": e["model"], "format": e["quant"], "imatrix": bool(e.get("imatrix", False)), "file": e.get("file", "")},
        "figure": f'{e["size"]} {unit}',
        "quote": e.get("quote", ""),
        "value": e["size"] * UNIT[unit],
        "unit": "bytes",
        "unit_note": f"{unit} read as " + ("10^9 bytes" if unit == "GB" else "2^30 bytes"),
    }
    if unit == "GB":
        p["ambiguous"] = "model cards print 'GB' without saying decimal or binary; read as 10^9 (the size of the file in bytes / 1e9 matches the repo listing)"
    if e.get("note"):
        p["note"] = e["note"]
    if "excluded" in e:
        p["skip"] = "excluded in the source data: " + e["excluded"]
    elif "CAUTION" in e.get("note", ""):
        p["skip"] = "the source record is flagged CAUTION: " + e["note"]
    elif "kept at MXFP4" in e.get("note", ""):
        p["skip"] = "custom llama-quantize recipe (FFN kept at MXFP4), not a standard file type"
    # Unique ids: the same file may be listed twice by different cards.
    base, n = p["id"], 2
    while p["id"] in {q["id"] for q in points}:
        p["id"] = f"{base}-{n}"
        n += 1
    add(p)

# ---- llama.cpp logs: KV cache and model size ----------------------------------------------------
MISTRAL_V02 = {"vocab": 32000, "hidden": 4096, "ffn": 14336, "layers": 32, "heads": 32, "kv_heads": 8,
               "source": "config.json of mistralai/Mistral-7B-Instruct-v0.2 (no sliding window)"}


def log_model(e):
    """The model as the validation reads it: a catalog id, or the shape the log prints."""
    m = e["model"]
    a = e.get("architecture_from_log")
    if m.startswith("open-llama") or m.startswith("Pythia"):
        arch = {"model_type": a["arch"], "vocab": a["n_vocab"], "hidden": a["n_embd"], "ffn": a["n_ff"], "layers": a["n_layer"],
                "heads": a["n_head"], "kv_heads": a["n_head_kv"], "head_dim": a.get("n_embd_head_k", a["n_embd"] // a["n_head"]),
                "source": "printed by the log (llm_load_print_meta)"}
        return {"model_name": m, "arch": arch}
    if m.startswith("mistralai/Mistral-7B-Instruct-v0.2"):
        return {"model_name": m, "arch": dict(MISTRAL_V02, model_type="llama")}
    if m.startswith("Qwen/Qwen2.5-Coder-32B"):
        return {"model": "qwen2.5-coder-32b"}
    if m.startswith("mistralai/Mixtral-8x7B"):
        return {"model": "mixtral-8x7b"}
    if m.startswith("meta-llama/Llama-3.1-70B"):
        return {"model": "llama-3.1-70b"}
    return {"model_name": m}


def fmt_quant(q):
    return q.split(" ")[0] if q else ""


for i, e in enumerate(pub["llama_cpp_logs"]):
    src = e["source"]
    engine = e.get("engine") or "llama.cpp"
    base = {**log_model(e), "engine": engine, "format": fmt_quant(e.get("quant")), "backend": e.get("backend"),
            "hardware": e.get("gpu"), "command": e.get("command", "")}
    if e.get("note"):
        base["log_note"] = e["note"]
    for line in e["lines"]:
        m = re.search(r"KV self size\s*=\s*([0-9.]+) MiB", line)
        if m and e.get("n_ctx"):
            w = dict(base)
            fa = e.get("flash_attn")
            w.update({"context": e["n_ctx"], "batch": 1, "ubatch": e.get("n_ubatch") or 512,
                      "kv_type_k": (e.get("type_k") or "f16").split(" ")[0], "kv_type_v": (e.get("type_v") or "f16").split(" ")[0],
                      "flash_attn": bool(fa) if fa is not None else False})
            p = {"id": f"llamacpp-log{i}-kv-{e['n_ctx']}", "category": "kv_cache", "engine": engine, "citation": src,
                 "workload": w, "figure": m.group(1) + " MiB", "quote": line.strip(), "value": float(m.group(1)) * 2**20,
                 "unit": "bytes", "unit_note": "MiB = 2^20 bytes (llama.cpp divides by 1024^2)"}
            if fa is None:
                p["note"] = "this llama.cpp build prints no flash_attn line; flash attention was not available in it"
            if "mla" in engine.lower() or "deepseek" in e["model"].lower():
                p["skip"] = "ik_llama.cpp fork with an MLA latent cache mode (mla_attn) the model does not follow"
            elif "model" not in w and "arch" not in w:
                p["skip"] = "model not in the catalog and its shape not in the log"
            add(p)
        m = re.search(r"model size\s*=\s*([0-9.]+) GiB", line)
        if m:
            w = dict(base)
            p = {"id": f"llamacpp-log{i}-model-size", "category": "weights", "engine": engine, "citation": src, "workload": w,
                 "figure": m.group(1) + " GiB", "quote": line.strip(), "value": float(m.group(1)) * 2**30, "unit": "bytes",
                 "unit_note": "GiB = 2^30 bytes (llama.cpp prints model size / 1024^3); printed to 0.01 GiB"}
            if "model" not in w and "arch" not in w:
                p["skip"] = "model not in the catalog (an unnamed 3.82B llama-architecture conversion); its shape is not in the log"
            elif w.get("arch", {}).get("model_type") == "gptneox":
                p["skip"] = "GPT-NeoX weights (biases, fused QKV) are not modelled from a log-printed llama shape"
            elif "ggml-org CI" in e["model"] and w["format"] == "Q4_K_M":
                p["note"] = "llama.cpp build 2709 (April 2024) Q4_K_M recipe"
            add(p)

# ---- vLLM logs: model weights per GPU ----------------------------------------------------------
VLLM_MODEL = {"meta-llama/Meta-Llama-3-8B": "llama-3-8b", "meta-llama/Llama-3.1-8B-Instruct": "llama-3.1-8b",
              "neuralmagic/Meta-Llama-3.1-70B-Instruct-quantized.w8a8": "llama-3.1-70b",
              "Llama 3.1 8B (MLCommons inference server scenario)": "llama-3.1-8b"}
for i, e in enumerate(pub["vllm_logs"]):
    for line in e["lines"]:
        m = re.search(r"model weights take\s+([0-9.]+)GiB", line) or re.search(r"Loading model weights took ([0-9.]+) GB", line)
        if not m:
            continue
        gib = "GiB" in line[m.start():m.end()]
        fmt = "int8" if "w8a8" in e["model"] else "bf16"
        w = {"model": VLLM_MODEL.get(e["model"], ""), "model_name": e["model"], "engine": "vllm", "format": fmt,
             "tensor_parallel": e.get("tensor_parallel", 1), "hardware": e.get("gpu"), "command": e.get("command", ""),
             "max_model_len": e.get("max_model_len")}
        p = {"id": f"vllm-log{i}-weights", "category": "weights", "engine": "vllm", "citation": e["source"], "workload": w,
             "figure": m.group(1) + (" GiB" if gib else " GB"), "quote": line.strip(), "value": float(m.group(1)) * 2**30,
             "unit": "bytes", "unit_note": "per GPU; read as 2^30 bytes"}
        if not gib:
            p["ambiguous"] = ("vLLM prints 'GB' here but computes the figure as bytes / 2^30 (worker/model_runner: "
                              "self.model_memory_usage / float(2**30)); read as GiB")
        if not w["model"]:
            p["skip"] = "model not in the catalog"
        add(p)

# ---- transformers get_memory_footprint ---------------------------------------------------------
TF_FORMAT = {"full precision (default dtype, float32)": "fp32", "torch_dtype=torch.bfloat16": "bf16",
             "BitsAndBytesConfig(load_in_8bit=True)": "bnb-int8", "BitsAndBytesConfig(load_in_4bit=True)": "nf4"}
TF_MODEL = {"bigcode/starcoder2-15b": "starcoder2-15b"}
for e in pub["transformers_measurements"]:
    fmt = TF_FORMAT[e["loading"]]
    w = {"model": TF_MODEL.get(e["model"], ""), "model_name": e["model"], "engine": "transformers", "format": fmt,
         "loading": e["loading"], "measurement": e["measurement"]}
    p = {"id": "transformers-" + slug(e["model"].split("/")[-1]) + "-" + fmt, "category": "weights", "engine": "transformers",
         "citation": e["source"], "workload": w, "figure": e["quote"].split(":")[-1].strip(), "quote": e["quote"],
         "value": e["value"] * 1e6, "unit": "bytes", "unit_note": "MB = 10^6 bytes (the card divides get_memory_footprint() by 1e6)"}
    if e.get("note"):
        p["note"] = e["note"]
    if not w["model"]:
        p["skip"] = "model not in the catalog"
    add(p)

# ---- fine-tuning peaks -------------------------------------------------------------------------
tr = load("training_measured.json")
for e in tr["points"]:
    w = dict(e["workload"])
    w.update({"model": e["model"], "hardware": e["gpu"], "includes_cuda_context": e["includes_cuda_context"],
              "measured_by": e.get("measured_by", "")})
    wl = e["workload"]
    pid = f"finetune-{e['model']}-{wl.get('method')}-{wl.get('precision', '')}-{e['gpu']}-b{wl.get('batch', 1)}-s{wl.get('seq', '')}-g{wl.get('gpus', 1)}"
    pid = slug(pid)
    base, n = pid, 2
    while pid in {q["id"] for q in points}:
        pid = f"{base}-{n}"
        n += 1
    engine = "litgpt" if "litgpt" in e["source"].lower() else ("torchtune" if "torchtune" in e["source"].lower() else "pytorch")
    p = {"id": pid, "category": "finetune_peak", "engine": engine, "citation": e["source"], "workload": w,
         "figure": e["figure"], "quote": e.get("quote", ""), "value": float(e["bytes"]), "unit": "bytes",
         "unit_note": f"{e['unit']} = " + ("10^9 bytes (max_memory_allocated()/1e9)" if e["unit"] == "GB" else "2^30 bytes")}
    if e.get("note"):
        p["note"] = e["note"]
    if "known_miss" in e:
        p["known_miss"] = e["known_miss"]
    add(p)

# ---- decode and prefill speeds -----------------------------------------------------------------
sp = load("speed_measured.json")
for e in sp["points"]:
    pp = e["test"].startswith("pp")
    w = {k: e[k] for k in ("model", "quant", "device", "device_spec", "engine", "gpu_count", "ngl", "n_cpu_moe", "depth", "prompt",
                           "cpu_threads", "system_ram_gbs", "test") if k in e}
    w["format"] = w.pop("quant")
    w["batch"] = 1
    p = {"id": "speed-" + e["id"], "category": "prefill_speed" if pp else "decode_speed", "engine": e.get("engine", "llama.cpp"),
         "citation": e["source"], "workload": w, "figure": str(e["measured_tps"]) + " t/s", "quote": e.get("printed", ""),
         "value": e["measured_tps"], "unit": "tokens/s", "unit_note": "tokens per second as printed", "role": e.get("role", "")}
    if e.get("role") == "derive":
        p["note"] = "an efficiency constant in src/core/workloads/speed.cpp was derived from this point"
    add(p)

# ---- runtime logs: inference totals, offload layer counts, KV caches of older builds -----------
# tests/validation/sources/runtime_logs.json: figures read in llama.cpp / ollama / vLLM / mlx-lm logs
# and PR descriptions. A total printed in pieces (llama.cpp's buffers, vLLM's profile lines) is the
# sum of its printed parts; nothing else is computed.
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "sources", "runtime_logs.json")) as f:
    logs = json.load(f)
LOG_UNIT = logs["units"]
for r in logs["records"]:
    units = {u for _, u in r["parts"]}
    assert len(units) == 1, r["id"]
    unit = units.pop()
    value = sum(n for n, _ in r["parts"]) * LOG_UNIT[unit]
    figure = " + ".join(f"{n:g}" for n, _ in r["parts"]) + f" {unit}"
    p = {"id": r["id"], "category": r["category"], "engine": r["engine"], "citation": r["citation"], "workload": r["workload"],
         "figure": figure, "quote": r["quote"], "value": value,
         "unit": "layers" if unit == "layers" else "bytes",
         "unit_note": ("layers on the GPU as the runtime counts them (the output layer is one)" if unit == "layers"
                       else f"{unit} = " + {"MiB": "2^20 bytes", "GiB": "2^30 bytes", "GB": "10^9 bytes"}[unit]),
         "covers": r["covers"]}
    for key in ("ambiguous", "note", "known_miss", "skip"):
        if key in r:
            p[key] = r[key]
    add(p)

out = {
    "schema_version": 1,
    "about": ("Every measured figure the project is checked against, in one shape: generated by tests/validation/make_points.py "
              "from tests/data/published_figures.json, tests/data/speed_measured.json, tests/data/training_measured.json "
              "and tests/validation/sources/runtime_logs.json (edit those and re-run the script). value: bytes (memory categories) or tokens/s (speeds), from the figure as "
              "printed and the unit stated in unit_note. skip: a point kept but not predicted, with the reason."),
    "points": points,
}
with open(os.path.join(ROOT, "tests", "validation", "points.json"), "w") as f:
    json.dump(out, f, indent=1, ensure_ascii=False)
    f.write("\n")
import collections
print(len(points), collections.Counter(p["category"] for p in points), sum("skip" in p for p in points), "skipped")
