#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/ from the repository's data
(tests/data/questions.json, catalogs/*.json). Hand-written seeds (names starting with "crash-"
or "repro-") are kept. Run: python3 tests/fuzz/make_seeds.py"""
import hashlib, json, os, pathlib

root = pathlib.Path(__file__).resolve().parents[2]
out = root / "tests/fuzz/corpus"

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)

questions = json.loads((root / "tests/data/questions.json").read_text())["questions"]
for q in questions:
    put("fuzz_question", q["text"]); put("fuzz_ask", q["text"])

models = json.loads((root / "catalogs/models.json").read_text())
devices = json.loads((root / "catalogs/devices.json").read_text())
quants = json.loads((root / "catalogs/quants.json").read_text())

# config.json: every catalog model's config (deduplicated by model_type, at most 3 each).
seen = {}
for m in models["models"]:
    t = m["config"].get("model_type", "")
    if seen.get(t, 0) >= 3: continue
    seen[t] = seen.get(t, 0) + 1
    put("fuzz_hf_config", json.dumps(m["config"], indent=1))

# Catalogs: small slices of each (whole files are slow to mutate), with and without a "#kind" line.
def slice_of(cat, key, n):
    c = dict(cat); c[key] = cat[key][:n]; return json.dumps(c, indent=1)
for key, cat in (("models", models), ("devices", devices), ("quants", quants)):
    for n in (1, 3):
        put("fuzz_catalog", slice_of(cat, key, n))
        put("fuzz_catalog", "#" + key + "\n" + slice_of(cat, key, n))

# Requests: the page's form and the CLI's flags.
reqs = [
    {"model": "llama-3.1-8b", "quant": "Q4_K_M", "device": "rtx-4060", "ctx": 32768},
    {"params": "7B", "quant": "fp16", "memory": "24GB", "device_kind": "gpu"},
    {"model": "mixtral-8x7b", "quant": "int4", "device": "apple-m2-ultra-192gb", "engine": "mlx"},
    {"model": "qwen3-30b-a3b", "device": "rtx-4090", "count": 2, "engine": "vllm", "kv_type": "fp8"},
    {"model": "gemma-3-27b", "device": "rtx-3090", "ctx": 131072, "batch": 4, "flash_attn": False, "kv_type": "q8_0"},
    {"model": "llama-3.1-70b", "quant": "Q8_0", "device": "rtx-4090", "ram": "64GB", "engine": "llama.cpp", "units": "gib"},
    {"params": "70B", "quant": "Q4_K_M", "memory": 48, "reserve": "1GB", "gpu_memory_utilization": 0.8, "intent": "training"},
    {"hf_config": models["models"][0]["config"], "quant": "Q4_K_M", "device": "rtx-4090"},
    {"hf_config": json.dumps(models["models"][0]["config"]), "quant": "Q4_K_M", "memory": "16GB"},
]
for r in reqs: put("fuzz_estimate", json.dumps(r))
