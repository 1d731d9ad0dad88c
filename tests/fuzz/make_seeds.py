#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/ from the repository's data
(tests/data/questions.json, catalogs/*.json). Hand-written seeds (names starting with "crash-"
or "repro-") are kept. Run: python3 tests/fuzz/make_seeds.py [files]
("files": only the fuzz_gguf and fuzz_safetensors seeds, which do not depend on the catalogs)."""
import hashlib, json, os, pathlib, struct, sys

root = pathlib.Path(__file__).resolve().parents[2]
out = root / "tests/fuzz/corpus"

def put(target, data, name=None):
    if isinstance(data, str):
        data = data.encode()
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + (name or hashlib.sha1(data).hexdigest()[:16]))).write_bytes(data)

def text_seeds():
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


# ---- Model files: GGUF and safetensors headers (tensor data left out: the fuzz targets read
# with the file size unknown, so only the header matters and seeds stay a few KB).

def le(fmt, *v): return struct.pack("<" + fmt, *v)
def gstr(v):
    b = v.encode() if isinstance(v, str) else v
    return le("Q", len(b)) + b
U8, I8, U16, I16, U32, I32, F32, BOOL, STR, ARR, U64, I64, F64 = range(13)
# ggml type id -> (elements per block, bytes per block), from ggml-common.h's block structs (as
# tests/core/files/gguf_writer.hpp writes them out).
K = 256
BLOCK = {0: (1, 4), 1: (1, 2), 30: (1, 2), 24: (1, 1), 25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8),
         2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34), 9: (32, 36),
         10: (K, K // 16 + K // 4 + 4), 11: (K, K // 8 + K // 4 + 14), 12: (K, 4 + 12 + K // 2),
         13: (K, 4 + 12 + K // 8 + K // 2), 14: (K, K // 2 + K // 4 + K // 16 + 2), 15: (K, 4 + K + 2 * (K // 16)),
         16: (K, 2 + 2 * (K // 8)), 17: (K, 2 + 2 * (K // 8) + K // 32), 18: (K, 2 + 3 * K // 8),
         19: (K, 2 + K // 8 + 2 * (K // 32)), 20: (32, 18), 21: (K, 2 + K // 4 + K // 32 + K // 8 + K // 64),
         22: (K, 2 + K // 4 + K // 32 + K // 32), 23: (K, 4 + K // 64 + K // 2), 29: (K, K // 8 + K // 16 + K // 32),
         34: (K, (K - 4 * K // 64) // 5 + 4 * K // 64 // 4 + 2), 35: (K, K // 4 + 2), 39: (32, 17), 40: (64, 36),
         41: (128, 18), 42: (64, 18)}

class Gguf:
    def __init__(self, version=3, alignment=32):
        self.version, self.alignment, self.kvs, self.infos, self.offset = version, alignment, [], [], 0
    def kv(self, key, typ, payload): self.kvs.append(gstr(key) + le("I", typ) + payload); return self
    def u32(self, k, v): return self.kv(k, U32, le("I", v))
    def u16(self, k, v): return self.kv(k, U16, le("H", v))
    def i32(self, k, v): return self.kv(k, I32, le("i", v))
    def f32(self, k, v): return self.kv(k, F32, le("f", v))
    def boolean(self, k, v): return self.kv(k, BOOL, le("B", 1 if v else 0))
    def string(self, k, v): return self.kv(k, STR, gstr(v))
    def strings(self, k, vs): return self.kv(k, ARR, le("IQ", STR, len(vs)) + b"".join(gstr(v) for v in vs))
    def i32s(self, k, vs): return self.kv(k, ARR, le("IQ", I32, len(vs)) + b"".join(le("i", v) for v in vs))
    def tensor(self, name, typ, dims):
        block, nbytes = BLOCK.get(typ, (1, 1))
        n = nbytes * (dims[0] // block)
        for d in dims[1:]: n *= d
        self.infos.append(gstr(name) + le("I", len(dims)) + b"".join(le("Q", d) for d in dims) + le("IQ", typ, self.offset))
        self.offset += (n + self.alignment - 1) // self.alignment * self.alignment
        return self
    def header(self):
        h = b"GGUF" + le("IQQ", self.version, len(self.infos), len(self.kvs)) + b"".join(self.kvs) + b"".join(self.infos)
        return h + b"\0" * (-len(h) % self.alignment)

def every_metadata_type(g):
    g.kv("test.u8", U8, le("B", 200)).kv("test.i8", I8, le("b", -123)).kv("test.u16", U16, le("H", 65000))
    g.kv("test.i16", I16, le("h", -30000)).u32("test.u32", 4000000000).i32("test.i32", -2000000000).f32("test.f32", 0.5)
    g.boolean("test.bool", True).string("test.string", "hello \u2713").kv("test.u64", U64, le("Q", 1 << 40))
    g.kv("test.i64", I64, le("q", -(1 << 40))).kv("test.f64", F64, le("d", 0.25))
    g.kv("test.nested", ARR, le("IQ", ARR, 2) + le("IQ", U8, 2) + bytes([1, 2]) + le("IQ", U8, 1) + bytes([3]))
    return g

def toks(n): return ["tok%d" % i for i in range(n)]

def block(g, i, names):
    for name, typ, dims in names: g.tensor("blk.%d.%s" % (i, name), typ, dims)

def gguf_llama(version=3, name="Tiny Llama"):
    g = Gguf(version).string("general.architecture", "llama").string("general.name", name).u32("general.file_type", 15)
    a = "llama."
    g.u32(a + "block_count", 2).u32(a + "context_length", 4096).u32(a + "embedding_length", 256)
    g.u32(a + "feed_forward_length", 512).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 2)
    g.f32(a + "attention.layer_norm_rms_epsilon", 1e-5).u32(a + "rope.dimension_count", 64)
    g.string("tokenizer.ggml.model", "gpt2").strings("tokenizer.ggml.tokens", toks(40))
    every_metadata_type(g)
    g.tensor("token_embd.weight", 12, [256, 40])
    for i in range(2):
        block(g, i, [("attn_norm.weight", 0, [256]), ("attn_q.weight", 12, [256, 256]), ("attn_k.weight", 12, [256, 128]),
                     ("attn_v.weight", 14, [256, 128]), ("attn_output.weight", 12, [256, 256]), ("ffn_norm.weight", 0, [256]),
                     ("ffn_gate.weight", 12, [256, 512]), ("ffn_up.weight", 12, [256, 512]), ("ffn_down.weight", 14, [512, 256])])
    g.tensor("output_norm.weight", 0, [256]).tensor("output.weight", 14, [256, 40])
    return g.header()

def gguf_qwen3moe():
    g = Gguf(3, 64).string("general.architecture", "qwen3moe").u32("general.alignment", 64)
    a = "qwen3moe."
    g.u32(a + "block_count", 2).u32(a + "context_length", 32768).u32(a + "embedding_length", 256)
    g.u32(a + "feed_forward_length", 768).u32(a + "attention.head_count", 4).i32s(a + "attention.head_count_kv", [2, 2])
    g.u32(a + "attention.key_length", 64).u32(a + "attention.value_length", 64)
    g.u32(a + "expert_count", 8).u32(a + "expert_used_count", 2).u32(a + "expert_feed_forward_length", 256)
    g.strings("tokenizer.ggml.tokens", toks(16)).tensor("token_embd.weight", 23, [256, 16])
    for i in range(2):
        block(g, i, [("attn_norm.weight", 0, [256]), ("attn_q.weight", 21, [256, 256]), ("attn_k.weight", 21, [256, 128]),
                     ("attn_v.weight", 12, [256, 128]), ("attn_q_norm.weight", 0, [64]), ("attn_k_norm.weight", 0, [64]),
                     ("attn_output.weight", 21, [256, 256]), ("ffn_norm.weight", 0, [256]), ("ffn_gate_inp.weight", 0, [256, 8]),
                     ("ffn_gate_exps.weight", 16, [256, 256, 8]), ("ffn_up_exps.weight", 16, [256, 256, 8]),
                     ("ffn_down_exps.weight", 29, [256, 256, 8])])
    g.tensor("output_norm.weight", 0, [256])
    return g.header()

def gguf_gemma3():
    g = Gguf().string("general.architecture", "gemma3")
    a = "gemma3."
    g.u32(a + "block_count", 2).u32(a + "context_length", 131072).u32(a + "embedding_length", 128)
    g.u32(a + "feed_forward_length", 256).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 1)
    g.u32(a + "attention.key_length", 64).u32(a + "attention.value_length", 64).u32(a + "attention.sliding_window", 512)
    g.tensor("token_embd.weight", 30, [128, 64])
    for i in range(2):
        block(g, i, [("attn_norm.weight", 0, [128]), ("attn_q.weight", 30, [128, 256]), ("attn_k.weight", 30, [128, 64]),
                     ("attn_v.weight", 30, [128, 64]), ("attn_output.weight", 30, [256, 128]), ("ffn_gate.weight", 8, [128, 256]),
                     ("ffn_up.weight", 8, [128, 256]), ("ffn_down.weight", 8, [256, 128])])
    g.tensor("output_norm.weight", 0, [128])
    return g.header()

def gguf_deepseek2():
    g = Gguf().string("general.architecture", "deepseek2")
    a = "deepseek2."
    g.u32(a + "block_count", 2).u32(a + "context_length", 163840).u32(a + "embedding_length", 256)
    g.u32(a + "feed_forward_length", 512).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 4)
    g.u32(a + "attention.key_length", 96).u32(a + "attention.value_length", 64).u32(a + "attention.kv_lora_rank", 64)
    g.u32(a + "attention.q_lora_rank", 96).u32(a + "rope.dimension_count", 32).u32(a + "expert_count", 8)
    g.u32(a + "expert_used_count", 2).u32(a + "expert_feed_forward_length", 128).u32(a + "expert_shared_count", 1)
    g.u32(a + "leading_dense_block_count", 1).tensor("token_embd.weight", 8, [256, 32])
    block(g, 0, [("attn_kv_a_mqa.weight", 8, [256, 96]), ("attn_kv_b.weight", 8, [64, 512]), ("ffn_up.weight", 8, [256, 512])])
    block(g, 1, [("ffn_gate_inp.weight", 0, [256, 8]), ("ffn_up_exps.weight", 2, [256, 128, 8]), ("ffn_up_shexp.weight", 8, [256, 128])])
    g.tensor("output.weight", 8, [256, 32])
    return g.header()

def gguf_gpt_oss():
    g = Gguf().string("general.architecture", "gpt-oss").u32("general.file_type", 38)
    a = "gpt-oss."
    g.u32(a + "block_count", 1).u32(a + "context_length", 131072).u32(a + "embedding_length", 256)
    g.u32(a + "feed_forward_length", 256).u32(a + "attention.head_count", 4).u32(a + "attention.head_count_kv", 2)
    g.u32(a + "attention.sliding_window", 128).u32(a + "expert_count", 4).u32(a + "expert_used_count", 2)
    g.tensor("token_embd.weight", 8, [256, 32])
    block(g, 0, [("attn_sinks.weight", 0, [4]), ("ffn_gate_exps.weight", 39, [256, 256, 4]), ("ffn_gate_exps.bias", 0, [256, 4])])
    return g.header()

def gguf_mmproj():
    g = Gguf().string("general.architecture", "clip").string("general.type", "mmproj")
    g.boolean("clip.has_vision_encoder", True).u32("clip.vision.embedding_length", 128).u32("clip.vision.block_count", 1)
    g.tensor("v.patch_embd.weight", 1, [14, 14, 3, 128]).tensor("v.blk.0.attn_q.weight", 1, [128, 128])
    g.tensor("mm.0.weight", 1, [128, 256]).tensor("mm.0.bias", 0, [256])
    return g.header()

def gguf_mamba():
    g = Gguf().string("general.architecture", "mamba")
    g.u32("mamba.block_count", 1).u32("mamba.embedding_length", 256).u32("mamba.ssm.state_size", 16)
    g.u32("mamba.ssm.conv_kernel", 4).u32("mamba.ssm.inner_size", 512)
    g.tensor("token_embd.weight", 1, [256, 100]).tensor("blk.0.ssm_in.weight", 1, [256, 1024])
    return g.header()

def gguf_split(no):
    g = Gguf().u16("split.no", no).u16("split.count", 3).i32("split.tensors.count", 6)
    if no == 0:
        g.string("general.architecture", "qwen2").u32("qwen2.block_count", 2).u32("qwen2.embedding_length", 256)
        g.u32("qwen2.context_length", 32768).u32("qwen2.feed_forward_length", 512)
        g.u32("qwen2.attention.head_count", 4).u32("qwen2.attention.head_count_kv", 2)
        g.tensor("token_embd.weight", 8, [256, 128]).tensor("output_norm.weight", 0, [256])
    else:
        block(g, no - 1, [("attn_q.weight", 13, [256, 256]), ("ffn_down.weight", 14, [512, 256])])
    return g.header()

def gguf_all_types():
    g = Gguf().string("general.architecture", "llama")
    for t in [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
              34, 35, 39, 40, 41, 42]:
        g.tensor("type_%d" % t, t, [256, 3])
    return g.header()

def st_bits(d):
    return {"F64": 64, "I64": 64, "U64": 64, "F32": 32, "I32": 32, "U32": 32, "F16": 16, "BF16": 16, "I16": 16,
            "U16": 16, "F4": 4}.get(d, 8)

def safetensors(tensors, metadata=None, data=False):
    """tensors: [(name, dtype, shape)]; a header (8-byte length + JSON padded to 8), data zeroed when asked."""
    h, off = {}, 0
    if metadata: h["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = 1
        for d in shape: n *= d
        end = off + n * st_bits(dtype) // 8
        h[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, end]}
        off = end
    j = json.dumps(h, separators=(",", ":")).encode()
    j += b" " * (-len(j) % 8)
    return le("Q", len(j)) + j + (b"\0" * off if data else b"")

def st_llama(dtype="BF16", layers=2):
    t = [("model.embed_tokens.weight", dtype, [64, 32])]
    for i in range(layers):
        p = "model.layers.%d." % i
        t += [(p + "input_layernorm.weight", dtype, [32]), (p + "self_attn.q_proj.weight", dtype, [32, 32]),
              (p + "self_attn.k_proj.weight", dtype, [16, 32]), (p + "self_attn.v_proj.weight", dtype, [16, 32]),
              (p + "self_attn.o_proj.weight", dtype, [32, 32]), (p + "mlp.gate_proj.weight", dtype, [64, 32]),
              (p + "mlp.up_proj.weight", dtype, [64, 32]), (p + "mlp.down_proj.weight", dtype, [32, 64])]
    return t + [("model.norm.weight", dtype, [32]), ("lm_head.weight", dtype, [64, 32])]

def st_gptq():
    p = "model.layers.0.self_attn.q_proj."
    return [("model.embed_tokens.weight", "F16", [64, 32]), (p + "qweight", "I32", [4, 32]), (p + "qzeros", "I32", [1, 4]),
            (p + "scales", "F16", [1, 32]), (p + "g_idx", "I32", [32])]

LLAMA_CONFIG = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
                "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 64,
                "max_position_embeddings": 4096, "torch_dtype": "bfloat16"}

def files(*named):
    """A set of files for inspect_model_files, in the targets' "#files" form."""
    return b"#files\n" + b"\n".join(b"#file " + n.encode() + b"\n" + d for n, d in named)

def file_seeds():
    for name, data in [("llama-q4_k_m", gguf_llama()), ("llama-v2", gguf_llama(2)), ("qwen3moe-iq", gguf_qwen3moe()),
                       ("gemma3-swa", gguf_gemma3()), ("deepseek2-mla", gguf_deepseek2()), ("gpt-oss-mxfp4", gguf_gpt_oss()),
                       ("mmproj", gguf_mmproj()), ("mamba", gguf_mamba()), ("all-types", gguf_all_types()),
                       ("split-1", gguf_split(0)), ("split-2", gguf_split(1)),
                       ("markup-name", gguf_llama(3, '<img src=x onerror="window.__pwned=1">\u202e')),
                       ("empty", Gguf().header()),
                       ("files-split", files(("m-00002-of-00003.gguf", gguf_split(1)), ("m-00001-of-00003.gguf", gguf_split(0)),
                                             ("m-00003-of-00003.gguf", gguf_split(2)))),
                       ("files-one-part", files(("m-00001-of-00003.gguf", gguf_split(0)))),
                       ("files-mmproj", files(("model.gguf", gguf_gemma3()), ("mmproj.gguf", gguf_mmproj()), ("config.json", b"{}")))]:
        put("fuzz_gguf", data, name)
    gptq_config = dict(LLAMA_CONFIG, quantization_config={"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": False})
    for name, data in [("llama-bf16", safetensors(st_llama())), ("llama-f32-meta", safetensors(st_llama("F32", 1), {"format": "pt"})),
                       ("fp8", safetensors(st_llama("F8_E4M3", 1) + [("model.layers.0.self_attn.q_proj.weight_scale", "F32", [])])),
                       ("gptq", safetensors(st_gptq())), ("with-data", safetensors([("model.embed_tokens.weight", "F16", [8, 4]), ("lm_head.weight", "F16", [8, 4])], data=True)),
                       ("empty", safetensors([])),
                       ("config-llama", b"#config\n" + json.dumps(LLAMA_CONFIG).encode() + b"\n#file\n" + safetensors(st_llama())),
                       ("config-gptq", b"#config\n" + json.dumps(gptq_config).encode() + b"\n#file\n" + safetensors(st_gptq())),
                       ("index", b"#index\n" + json.dumps({"metadata": {"total_size": 384}, "weight_map": {
                           "model.embed_tokens.weight": "model-00001-of-00001.safetensors",
                           "model.layers.0.mlp.up_proj.weight": "model-00001-of-00001.safetensors"}}).encode()),
                       ("files-sharded", files(
                           ("model-00001-of-00002.safetensors", safetensors(st_llama()[:5])),
                           ("model-00002-of-00002.safetensors", safetensors(st_llama()[5:])),
                           ("model.safetensors.index.json", json.dumps({"metadata": {}, "weight_map": dict(
                               [(t[0], "model-00001-of-00002.safetensors") for t in st_llama()[:5]] +
                               [(t[0], "model-00002-of-00002.safetensors") for t in st_llama()[5:]])}).encode()),
                           ("config.json", json.dumps(LLAMA_CONFIG).encode()))),
                       ("files-gptq", files(("model.safetensors", safetensors(st_gptq())), ("config.json", json.dumps(gptq_config).encode()))),
                       ("files-one-shard", files(("model-00001-of-00002.safetensors", safetensors(st_llama()[:5]))))]:
        put("fuzz_safetensors", data, name)

only = set(sys.argv[1:])
if not only or "text" in only: text_seeds()
if not only or "files" in only: file_seeds()
