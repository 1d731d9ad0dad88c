// Types of web/willitfit.mjs. Field names are the snake_case names of `willitfit ... --json`.

export interface WifError {
  ok: false;
  error: { code: string; message: string };
}

/** A request: one of model / params / hf_config, and one of device / memory. */
export interface Request {
  intent?: 'memory' | 'training' | 'speed' | 'device_count' | 'what_fits' | 'serving' | 'sizes';
  model?: string;              // catalog id, alias or Hugging Face repo id
  params?: string | number;    // "7B", 7e9
  hf_config?: string | object; // a config.json
  quant?: string;              // catalog id ("Q4_K_M", "fp16", "nf4") or "exl2:4.65", "gptq:4:128"
  device?: string;             // catalog id or name
  memory?: string | number;    // "24GB" or 24 (GB as marketed)
  device_kind?: 'gpu' | 'unified' | 'cpu';
  count?: number;
  ctx?: number;
  batch?: number;
  ubatch?: number;
  kv_type?: string;            // f16, bf16, q8_0, q4_0, fp8, ...
  engine?: 'llama.cpp' | 'ollama' | 'vllm' | 'transformers' | 'mlx' | 'exllamav2';
  flash_attn?: 'auto' | 'on' | 'off' | boolean;
  /** Whose memory rules (default 'latest'): 'llama.cpp-2025.10' = llama.cpp/ollama builds of May 2024 - Oct 2025
   *  (KV cache padded to 32 cells without flash attention); 'vllm-v0' = vLLM's V0 engine profile run. */
  engine_version?: 'latest' | 'llama.cpp-2025.10' | 'vllm-v0';
  ram?: string | number;
  reserve?: string | number;
  wired_limit_mb?: number;
  gpu_memory_utilization?: number;
  units?: 'gb' | 'gib';
  ngl?: number;                     // llama.cpp -ngl: layers on the GPU (-1: as many as fit)
  /** llama.cpp --n-cpu-moe: the routed experts of the first N layers stay in system RAM (llama.cpp/MoE only; -1 or "all": every layer, --cpu-moe; default 0). */
  n_cpu_moe?: number | 'all';
  prompt?: number;                  // prefill prompt tokens (default 512, llama-bench pp512)
  depth?: number;                   // tokens already in context when decoding (default 0, tg128)
  bandwidth_efficiency?: number;    // override the measured fraction of peak bandwidth, (0, 1]
  compute_efficiency?: number;      // override the measured fraction of peak fp16 compute, (0, 1]
  ram_bandwidth?: number;           // GB/s of the system RAM offloaded layers run from
  max_model_len?: number;           // vLLM serving: tokens per request
  training?: TrainingRequest;       // intent 'training': method, optimizer, precision, batch, seq, lora_rank, ...
}

/** The `training` object of a training request (the same options as `willitfit train`). */
export interface TrainingRequest {
  method?: 'full' | 'lora' | 'qlora';
  optimizer?: 'adamw' | 'adamw8bit' | 'paged_adamw8bit' | 'sgd' | 'sgd_momentum' | 'adafactor' | 'lion';
  precision?: 'fp32' | 'mixed_bf16' | 'mixed_fp16' | 'bf16';
  attention?: 'flash' | 'eager';
  batch?: number;                   // micro-batch per GPU
  seq?: number;                     // tokens per sequence
  checkpointing?: 'none' | 'selective' | 'full' | boolean;
  lora_rank?: number;
  lora_alpha?: number;
  lora_targets?: string | string[]; // "all", "attn", "q,k,v,o" or ["q", "v"]
  double_quant?: boolean;
  zero?: 0 | 1 | 2 | 3 | 'fsdp' | string;
  offload_optimizer?: boolean;
  chunked_loss?: boolean;
  optimizer_in_backward?: boolean;
  count?: number;                   // GPUs (also the request's top-level count, up to 64)
  tokens?: number | string;         // 2e12 or "2T", "500B", "20M"
  mfu?: number;                     // model-FLOPs utilization, (0, 1]
  price?: number;                   // US dollars per GPU-hour (default: the catalog's cloud price)
  outlet_watts?: number;            // the wall circuit (default 1800 W: US 15 A / 120 V)
}

export type Verdict = 'fits' | 'fits_with_offload' | 'does_not_fit';

/**
 * The error band of a figure: the range the validation set's errors for its category and engine give it
 * (src/core/advice/bands.cpp, docs/accuracy.md). `relative` is r = max(80th percentile of |error|, floor):
 * a fraction, with the measured value expected between value / (1 + r) and value / (1 - r); for
 * offload_layers a number of layers, value -+ r.
 */
export interface BandFields {
  relative: number;
  plus_minus: string;          // "± 6.3%", "± 2 layers"
  category: 'inference_total' | 'decode_speed' | 'prefill_speed' | 'finetune_peak' | 'offload_layers' | string;
  engine: string;              // the row used: an engine, or '*' (every engine of the category)
  points: number;              // validation points behind the row
  basis: string;               // the row in words
}
/** A band of bytes (memory). */
export interface ByteBand extends BandFields { value_bytes: number; low_bytes: number; high_bytes: number }
/** A band of tokens/s or of layers. */
export interface ValueBand extends BandFields { value: number; low: number; high: number }
export type Intent = 'memory' | 'training' | 'speed' | 'device_count' | 'what_fits' | 'serving' | 'sizes';

/** Where the layers of one answer run, and how long each part takes per token. */
export interface SpeedPart {
  where: 'gpu' | 'system_ram' | string;
  label: string;
  layers: number;
  weight_bytes: number;
  kv_bytes: number;
  peak_bandwidth_gbs: number;
  bandwidth_efficiency: number;
  seconds: number;
  overhead_seconds: number;
}

/** Tokens per second and their basis (the measured efficiencies and where they come from). */
export interface Speed {
  decode_tps: number;
  prefill_tps: number;
  time_to_first_token_s: number;
  prompt_tokens: number;
  depth: number;
  bandwidth_efficiency: number;
  bandwidth_efficiency_source: string;
  compute_efficiency: number;
  compute_efficiency_source: string;
  overhead_per_layer_s: number;
  bytes_per_token: number;
  gpu_bytes_per_token: number;
  host_bytes_per_token: number;
  kv_bytes_per_token: number;
  effective_bandwidth_gbs: number;
  effective_tflops: number;
  bound: 'bandwidth' | 'compute' | string;
  prefill_bound: 'bandwidth' | 'compute' | string;
  cpu_only_decode_tps: number;
  cpu_only_prefill_tps: number;
  speedup_vs_cpu: number;
  gpu_layers: number;
  total_layers: number;
  system_ram_bandwidth_gbs: number;
  system_ram_source: string;
  parts: SpeedPart[];
  assumptions: string[];
}

/** vLLM serving (intent 'serving', full module): the KV budget and the requests that fit at once. */
export interface Serving {
  gpu_count: number;
  gpu_memory_utilization: number;
  total_bytes: number;
  requested_bytes: number;
  weights_bytes: number;
  activation_peak_bytes: number;
  non_torch_bytes: number;
  kv_budget_bytes: number;
  block_size: number;
  kv_bytes_per_token: number;
  num_blocks: number;
  kv_tokens: number;
  max_model_len: number;
  max_concurrency: number;
  max_sequences: number;
  log_line: string;
  fits: boolean;
  batch: number;
  step_seconds: number;
  aggregate_decode_tps: number;
  per_sequence_decode_tps: number;
  single_stream_decode_tps: number;
  bound: string;
  bandwidth_efficiency: number;
  compute_efficiency: number;
  efficiency_source: string;
  notes: string[];
}

export interface LineItem {
  key: string;
  category: 'weights' | 'kv_cache' | 'compute' | 'overhead';
  label: string;
  bytes: number;
  location: 'gpu' | 'host';
  formula: string;
  source: string;
}

export interface Answer {
  ok: true;
  intent: Exclude<Intent, 'training'>;
  verdict: Verdict;
  /** The memory band straddles the usable memory: the verdict could go either way (the headline says "Borderline"). */
  borderline: boolean;
  /** Present when borderline: why, in words. */
  borderline_reason?: string;
  headline: string;
  model: { id: string; name: string; params: number; active_params: number; layers: number; max_context: number;
           model_type: string; hf_repo?: string; published_params?: number; assumed_shape?: string };
  quant: { id: string; name: string; family: string; bits_per_weight: number; requested?: string;
           gguf_file_bytes?: number; tensor_types?: { type: string; tensors: number; bytes: number }[] };
  device: { id: string; name: string; kind: 'gpu' | 'unified' | 'cpu'; memory_bytes: number; count: number; bandwidth_gbs: number };
  engine: string;
  backend: string;
  /** Whose memory rules the bill follows (the request's engine_version when it concerns this engine). */
  engine_version: 'latest' | 'llama.cpp-2025.10' | 'vllm-v0';
  flash_attn: boolean;
  ctx: number;
  batch: number;
  kv_type: string;
  memory: { weights_bytes: number; kv_cache_bytes: number; compute_bytes: number; overhead_bytes: number;
            total_bytes: number; gpu_bytes: number; host_bytes: number; items: LineItem[];
            /** Band of the memory the verdict weighs: gpu_bytes (total_bytes on a CPU). */
            band?: ByteBand };
  usable_bytes: number;
  device_bytes: number;
  headroom_bytes: number;
  usable_rule: string;
  usable_source: string;
  system_ram_bytes: number;
  offloaded_bytes: number;
  total_layers: number;
  gpu_layers: number;
  /** fits_with_offload: band of gpu_layers, in layers. */
  gpu_layers_band?: ValueBand;
  max_context: number;
  explanation: string[];
  assumptions: string[];
  warnings: string[];
  /** kind: quant | context | count | offload (llama.cpp with part of the model in system RAM; n_cpu_moe: its --n-cpu-moe) */
  suggestions: { kind: string; text: string; quant?: string; engine?: string; ctx?: number; count?: number; n_cpu_moe?: number; gpu_bytes?: number }[];
  units: 'gb' | 'gib';
  /** Bytes in system RAM: the host's share plus offloaded layers. */
  ram_bytes: number;
  /** Present when the model runs: tokens per second generating (decode) and reading the prompt (prefill). */
  tokens_per_second?: { decode: number; prefill: number; decode_band?: ValueBand; prefill_band?: ValueBand };
  speed?: Speed;
  /** Why there is no speed figure (e.g. it does not fit). */
  speed_error?: string;
  /** intent 'device_count': how many of the device it takes. */
  devices_needed?: number;
  /** intent 'serving' (full module only). */
  serving?: Serving;
}

export interface TrainingLineItem {
  key: string;
  category: 'weights' | 'gradients' | 'optimizer' | 'activations' | 'overhead';
  label: string;
  bytes: number;
  location: 'gpu' | 'host';
  formula: string;
  source: string;
}

/** A training answer (intent 'training'; full module only). Memory figures are per GPU. */
export interface TrainingAnswer {
  ok: true;
  intent: 'training';
  verdict: Verdict;
  /** The band of the peak per GPU straddles the usable memory (the headline starts "Borderline: "). */
  borderline: boolean;
  borderline_reason?: string;
  /** Band of the peak per GPU (memory.total_bytes), from the fine-tuning measurements. */
  band?: ByteBand;
  headline: string;
  explanation: string[];
  options: { method: 'full' | 'lora' | 'qlora'; optimizer: string; precision: string; batch: number; seq: number;
             checkpointing: 'none' | 'selective' | 'full'; attention: string; lora_rank?: number; lora_targets?: string;
             double_quant?: boolean; chunked_loss: boolean; optimizer_in_backward: boolean;
             sharding: 'none' | 'zero1' | 'zero2' | 'zero3' | 'fsdp'; offload_optimizer: boolean; count: number };
  memory: { weights_bytes: number; gradients_bytes: number; optimizer_bytes: number; activations_bytes: number;
            overhead_bytes: number; total_bytes: number; usable_bytes: number; device_bytes: number; host_bytes: number;
            per_gpu: boolean; items: TrainingLineItem[] };
  trainable_params: number;
  total_params: number;
  active_params: number;
  quantized_params?: number;
  /** The fewest GPUs with the chosen strategy; 0 when no count of this GPU holds it that way. */
  min_gpus: number;
  recommended_sharding: 'none' | 'zero1' | 'zero2' | 'zero3' | 'fsdp';
  recommended_gpus: number;
  time: { tokens: number; flops: number; flops_per_token: number; gpu_hours: number; wall_hours: number; mfu: number; peak_tflops: number };
  cost: { usd: number; usd_per_gpu_hour: number; price_from_catalog: boolean };
  power: { watts: number; gpu_watts: number; host_watts: number; outlet_watts: number; continuous_limit_watts: number;
           trips_outlet: boolean; over_continuous_limit: boolean; known: boolean };
  model: Answer['model'];
  device: Answer['device'];
  assumptions: string[];
  units: 'gb' | 'gib';
}

export interface Question {
  text: string;
  intent: Intent;
  understood: string[];
  ambiguities: string[];
  model_candidates?: string[];
  device_candidates?: string[];
  request: Request;
}

export type AskResult = ((Answer | TrainingAnswer) & { question: Question }) | (WifError & { question?: Question });

export interface Option {
  id: string;
  name: string;
  verdict: Verdict | 'unsupported';
  error?: string;
  engine?: string;
  gpu_bytes?: number;
  total_bytes?: number;
  usable_bytes?: number;
  weights_bytes?: number;
  gpu_layers?: number;
  total_layers?: number;
  bits_per_weight?: number;
}

export interface CatalogModel { id: string; name: string; family: string; hf_repo: string; aliases: string[]; params: number;
  active_params: number; published_params: number; layers: number; max_context: number; model_type: string; moe: boolean }
export interface CatalogDevice { id: string; name: string; vendor: string; kind: 'gpu' | 'unified' | 'cpu'; segment: string;
  aliases: string[]; memory_bytes: number; memory_gib: number; bandwidth_gbs: number; backend: string;
  /** price_usd, cloud_usd_per_hour and tdp_w: listed by the full module (loadFull()); the page's core leaves them out. */
  fp16_tflops?: number; price_usd?: number; cloud_usd_per_hour?: number; tdp_w?: number }
export interface CatalogQuant { id: string; name: string; family: string; aliases: string[]; description: string }

export interface CurvePoint { ctx: number; weights_bytes: number; kv_cache_bytes: number; compute_bytes: number; overhead_bytes: number; gpu_bytes: number }

export interface PageResult<A> {
  answer: A;
  quants?: { ok: true; options: Option[] };
  devices?: { ok: true; options: Option[] };
  curve?: { ok: true; max_context: number; points: CurvePoint[] };
  /** The solver's setups on this device, ranked by expected decode speed (as `willitfit fit --json`). */
  setups?: Solution;
}

/** One way to run the model on the device: format, KV cache type, layers on the GPU, and its speed. */
export interface Setup {
  quant: string; engine: string; kv_type: string; bits_per_weight: number; verdict: Verdict;
  gpu_layers: number; total_layers: number; gpu_bytes: number; ram_bytes: number; usable_bytes: number;
  /** llama.cpp --n-cpu-moe N: the routed experts of the first N layers stay in system RAM (0: none). */
  n_cpu_moe: number;
  tokens_per_second: { decode: number; prefill: number };
}
/** `best`: the index of the setup with the most bits per weight at min_speed tokens/s or more (-1: none fits). */
export interface Solution { ok: true; intent: 'fit'; min_speed: number; best: number; setups: Setup[] }

/** What a model file's header holds (`willitfit inspect --json` without the tensor list). */
export interface ModelFileInfo {
  format: 'gguf' | 'gguf-mmproj' | 'safetensors'; architecture: string; name: string; file_type: string; quant_method: string;
  arch_known: boolean; arch: Record<string, unknown>; weight_bytes: number; mmproj_bytes: number; params: number;
  stored_elements: number; file_bytes: number; tensor_count: number;
  bytes_by_type: { type: string; tensors: number; bytes: number }[]; notes: string[];
}
export type InspectResult = ({ ok: true; file: ModelFileInfo } | (WifError & { error: { need_bytes?: number; file?: number } })) & { bytes_read?: number };

export interface WillItFit {
  readonly version: string;
  /** 'core' (load()): memory, speed, device count, what fits; 'full' (loadFull()): also training and serving. */
  readonly module: 'core' | 'full';
  /** In the core, a training or serving question, or a model given by its config.json, gives { ok: false, error: { code: 'module_needed' } }: see needsFull. */
  ask(text: string): AskResult;
  estimate(input: Request): Answer | TrainingAnswer | WifError;
  quant_options(input: Request): { ok: true; options: Option[] } | WifError;
  device_options(input: Request): { ok: true; options: Option[] } | WifError;
  context_curve(input: Request, points?: number): { ok: true; max_context: number;
    points: { ctx: number; weights_bytes: number; kv_cache_bytes: number; compute_bytes: number; overhead_bytes: number; gpu_bytes: number }[] } | WifError;
  /** One answer for a page, resolved once: the answer and, with points > 0, formats, devices and the context curve. */
  answer_page(kind: 'ask', input: string, options?: { units?: 'gb' | 'gib'; points?: number }): PageResult<AskResult>;
  answer_page(kind: 'estimate', input: Request, options?: { units?: 'gb' | 'gib'; points?: number }): PageResult<Answer | TrainingAnswer | WifError>;
  /** The formats, devices and curve of the last answer_page answer ({} after an error), without resolving it again. */
  answer_page_more(points?: number): Omit<PageResult<never>, 'answer'>;
  /** Bytes as the core writes them: "14 GB", "512 MB" or "13 GiB", "512 MiB". */
  format_bytes(bytes: number, units?: 'gb' | 'gib'): string;
  /** Full module: a model file's header from its first bytes (`size`: the whole file's). need_more: call again with error.need_bytes bytes. */
  inspect_file(bytes: Uint8Array, size: number): InspectResult;
  /** Full module: inspect_file over a File or Blob, reading only the header with slice() (1 MiB first). */
  read_file(file: Blob): Promise<InspectResult>;
  /** Full module: the files of one model together (split GGUF parts, safetensors shards with the index and config.json, an mmproj beside its model). */
  read_files(files: ArrayLike<Blob> | Iterable<Blob>): Promise<InspectResult>;
  /** Full module: answers a request without a model (device, ctx, ...) about the file read last. */
  answer_file(input: Request, options?: { units?: 'gb' | 'gib' }): Answer | WifError;
  list_models(): CatalogModel[];
  list_devices(): CatalogDevice[];
  list_quants(): CatalogQuant[];
  /** Full module: every catalog model x format x device (the core answers module_needed). */
  sweep(ctx?: number, rows?: boolean): { ok: true; combinations: number; counts: Record<string, number>; rows?: number[][];
    models?: string[]; quants?: string[]; devices?: string[] } | WifError;
}

export interface LoadOptions {
  wasmBinary?: Uint8Array;
  factory?: (args: object) => Promise<unknown>;
  baseUrl?: string | URL;
}

/** Starts the WebAssembly core once; later calls return the same instance. */
export function load(options?: LoadOptions): Promise<WillItFit>;

/**
 * Starts the full module (willitfit-full.js/.wasm: the core plus training and serving) once; nothing
 * is downloaded before the first call. Options as for load(), for the full module's files
 * (`factory`: createWillItFitFull).
 */
export function loadFull(options?: LoadOptions): Promise<WillItFit>;

/** True when a result of the core (ask, estimate or answer_page) says the full module must answer it. */
export function needsFull(result: unknown): boolean;
