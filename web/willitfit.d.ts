// Types of web/willitfit.mjs. Field names are the snake_case names of `willitfit ... --json`.

export interface WifError {
  ok: false;
  error: { code: string; message: string };
}

/** A request: one of model / params / hf_config, and one of device / memory. */
export interface Request {
  intent?: 'memory' | 'training' | 'speed' | 'device_count' | 'what_fits' | 'serving';
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
  ram?: string | number;
  reserve?: string | number;
  wired_limit_mb?: number;
  gpu_memory_utilization?: number;
  units?: 'gb' | 'gib';
  prompt?: number;                  // prefill prompt tokens (default 512, llama-bench pp512)
  depth?: number;                   // tokens already in context when decoding (default 0, tg128)
  bandwidth_efficiency?: number;    // override the measured fraction of peak bandwidth, (0, 1]
  compute_efficiency?: number;      // override the measured fraction of peak fp16 compute, (0, 1]
  ram_bandwidth?: number;           // GB/s of the system RAM offloaded layers run from
  max_model_len?: number;           // vLLM serving: tokens per request
  training?: Record<string, unknown>;  // training options: method, optimizer, precision, batch, seq, lora_rank, ...
}

export type Verdict = 'fits' | 'fits_with_offload' | 'does_not_fit';

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
  verdict: Verdict;
  headline: string;
  model: { id: string; name: string; params: number; active_params: number; layers: number; max_context: number;
           model_type: string; hf_repo?: string; published_params?: number; assumed_shape?: string };
  quant: { id: string; name: string; family: string; bits_per_weight: number; requested?: string;
           gguf_file_bytes?: number; tensor_types?: { type: string; tensors: number; bytes: number }[] };
  device: { id: string; name: string; kind: 'gpu' | 'unified' | 'cpu'; memory_bytes: number; count: number; bandwidth_gbs: number };
  engine: string;
  backend: string;
  flash_attn: boolean;
  ctx: number;
  batch: number;
  kv_type: string;
  memory: { weights_bytes: number; kv_cache_bytes: number; compute_bytes: number; overhead_bytes: number;
            total_bytes: number; gpu_bytes: number; host_bytes: number; items: LineItem[] };
  usable_bytes: number;
  device_bytes: number;
  headroom_bytes: number;
  usable_rule: string;
  usable_source: string;
  system_ram_bytes: number;
  offloaded_bytes: number;
  total_layers: number;
  gpu_layers: number;
  max_context: number;
  explanation: string[];
  assumptions: string[];
  warnings: string[];
  suggestions: { kind: string; text: string; quant?: string; engine?: string; ctx?: number; count?: number; gpu_bytes?: number }[];
  units: 'gb' | 'gib';
}

export interface Question {
  text: string;
  understood: string[];
  ambiguities: string[];
  model_candidates?: string[];
  device_candidates?: string[];
  request: Request;
}

export type AskResult = (Answer & { question: Question }) | (WifError & { question?: Question });

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
  fp16_tflops?: number; price_usd?: number; cloud_usd_per_hour?: number; tdp_w?: number }
export interface CatalogQuant { id: string; name: string; family: string; aliases: string[]; description: string }

export interface CurvePoint { ctx: number; weights_bytes: number; kv_cache_bytes: number; compute_bytes: number; overhead_bytes: number; gpu_bytes: number }

export interface PageResult<A> {
  answer: A;
  quants?: { ok: true; options: Option[] };
  devices?: { ok: true; options: Option[] };
  curve?: { ok: true; max_context: number; points: CurvePoint[] };
}

export interface WillItFit {
  readonly version: string;
  ask(text: string): AskResult;
  estimate(input: Request): Answer | WifError;
  quant_options(input: Request): { ok: true; options: Option[] } | WifError;
  device_options(input: Request): { ok: true; options: Option[] } | WifError;
  context_curve(input: Request, points?: number): { ok: true; max_context: number;
    points: { ctx: number; weights_bytes: number; kv_cache_bytes: number; compute_bytes: number; overhead_bytes: number; gpu_bytes: number }[] } | WifError;
  /** One answer for a page, resolved once: the answer and, with points > 0, formats, devices and the context curve. */
  answer_page(kind: 'ask', input: string, options?: { units?: 'gb' | 'gib'; points?: number }): PageResult<AskResult>;
  answer_page(kind: 'estimate', input: Request, options?: { units?: 'gb' | 'gib'; points?: number }): PageResult<Answer | WifError>;
  /** The formats, devices and curve of the last answer_page answer ({} after an error), without resolving it again. */
  answer_page_more(points?: number): Omit<PageResult<never>, 'answer'>;
  /** Bytes as the core writes them: "14 GB", "512 MB" or "13 GiB", "512 MiB". */
  format_bytes(bytes: number, units?: 'gb' | 'gib'): string;
  list_models(): CatalogModel[];
  list_devices(): CatalogDevice[];
  list_quants(): CatalogQuant[];
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
