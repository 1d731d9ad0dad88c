// The only Embind code: a narrow, string-in/string-out surface over the core.
//
// Every function takes and returns JSON text with the same snake_case fields the CLI prints with
// --json, so the page, other pages and scripts share one vocabulary, and errors come back as data
// ({"ok": false, "error": {"code", "message"}}) because C++ exceptions do not cross Embind on
// Emscripten 3.1.6. web/willitfit.mjs turns the text into objects.
#include <emscripten/bind.h>

#include <string>

#include "advice/advice.hpp"
#include "advice/sweep.hpp"
#include "present/answer.hpp"
#include "facts/catalog.hpp"
#include "facts/catalog_snapshot.hpp"
#include "embedded_catalogs.hpp"

namespace {

using wif::Json;

// The catalogs built into the module, read on first use: the page's core reads the binary
// snapshot written from them at build time, the full module their JSON.
const wif::Expected<wif::Catalog>& catalog() {
#ifdef WIF_PAGE_CORE
    static const wif::Expected<wif::Catalog> c = wif::read_catalog_snapshot(wif::embedded_catalog_snapshot());
#else
    static const wif::Expected<wif::Catalog> c = wif::load_catalog(wif::embedded_catalogs());
#endif
    return c;
}

std::string fail(const wif::Error& e) { return wif::error_json(e); }

// {"ok": true, "<name>": <value written by fn>}
template <class Fn>
std::string wrap(const char* name, Fn fn) {
    wif::JsonWriter w;
    w.begin_object().field("ok", true).key(name);
    fn(w);
    w.end_object();
    return w.take();
}

// Parses request JSON text and resolves it, or explains why not.
// `any_device`: the caller tries every catalog device, so the request need not name one.
wif::Expected<wif::ResolvedRequest> resolve(const std::string& text, bool any_device = false) {
    if (!catalog()) return catalog().error();
    wif::Expected<Json> parsed = wif::parse_json(text, "request");
    if (!parsed) return parsed.error();
    wif::Expected<wif::Request> request = wif::request_from_json(parsed.value());
    if (!request) return request.error();
    if (any_device && request->device.empty() && request->memory_gib <= 0) request->memory_gib = 1;  // a stand-in, never used
    return wif::resolve_request(catalog().value(), request.value());
}

// ask, estimate and sweep: the script API's whole-answer calls. The page's core answers through
// answer_page (the façade maps ask/estimate onto it there), so only the full module carries them:
// each is a second copy of the answer path in the wasm (6 KB gzipped for the three).
#ifndef WIF_PAGE_CORE
std::string ask(const std::string& text) {
    if (!catalog()) return fail(catalog().error());
    static const wif::QuestionParser parser(catalog().value());
    return wif::ask_json(parser, catalog().value(), text);
}

std::string estimate(const std::string& text) {
    if (!catalog()) return fail(catalog().error());
    return wif::estimate_json(catalog().value(), text);
}
#endif

std::string quant_options(const std::string& text) {
    const auto r = resolve(text);
    if (!r) return fail(r.error());
    return wrap("options", [&](wif::JsonWriter& w) { wif::write_options(w, wif::quant_options(catalog().value(), r.value())); });
}

std::string device_options(const std::string& text) {
    const auto r = resolve(text, true);
    if (!r) return fail(r.error());
    return wrap("options", [&](wif::JsonWriter& w) { wif::write_options(w, wif::device_options(catalog().value(), r.value())); });
}

std::string context_curve(const std::string& text, int points) {
    const auto r = resolve(text);
    if (!r) return fail(r.error());
    wif::JsonWriter w;
    w.begin_object().field("ok", true).field("max_context", wif::largest_context(r.value())).key("points");
    wif::write_curve(w, wif::context_curve(r.value(), points));
    w.end_object();
    return w.take();
}

std::string list(const std::string& what) {
    if (!catalog()) return fail(catalog().error());
    const wif::Catalog& c = catalog().value();
    if (what == "models") return wrap("models", [&](wif::JsonWriter& w) { wif::write_models(w, c); });
    if (what == "devices") return wrap("devices", [&](wif::JsonWriter& w) { wif::write_devices(w, c); });
    if (what == "quants") return wrap("quants", [&](wif::JsonWriter& w) { wif::write_quants(w, c); });
    return fail(wif::make_error("usage", "list: expected models, devices or quants, got \"" + what + "\""));
}

#ifndef WIF_PAGE_CORE
std::string sweep(double context, bool rows) {
    if (!catalog()) return fail(catalog().error());
    if (!(context >= 1 && context <= 16'777'216)) return fail(wif::make_error("invalid_context", "context must be 1 to 16777216"));
    const wif::SweepResult result = wif::sweep_catalog(catalog().value(), static_cast<std::int64_t>(context), rows);
    wif::JsonWriter w;
    wif::write_sweep(w, catalog().value(), result, rows);
    return w.take();
}
#endif

std::string version() { return "0.1.0"; }

}  // namespace

EMSCRIPTEN_BINDINGS(willitfit) {
#ifndef WIF_PAGE_CORE
    emscripten::function("ask", &ask);
    emscripten::function("estimate", &estimate);
    emscripten::function("sweep", &sweep);
#endif
    emscripten::function("quant_options", &quant_options);
    emscripten::function("device_options", &device_options);
    emscripten::function("context_curve", &context_curve);
    emscripten::function("list", &list);
    emscripten::function("version", &version);
}

// ---- The page's calls (appended; the functions above stay for scripts and tests) -------------
//
// answer_page: one call per answer. The question or request is resolved once; the answer, every
// format, every device and the memory-against-context curve all come from that one resolution
// (the page used to resolve the same request four times and search the largest context twice).
// The page asks for the answer first and, once its verdict is painted, for the rest of the same
// answer with answer_page_more. format_bytes: the core's byte formatter, so the page writes no
// numbers of its own.
namespace {

std::optional<wif::Units> units_of(const std::string& units) {
    if (units == "gib") return wif::Units::gib;
    if (units == "gb") return wif::Units::gb;
    return std::nullopt;
}

// The last answer answer_page gave, for answer_page_more.
std::optional<wif::Answer>& last_answer() {
    static std::optional<wif::Answer> answer;
    return answer;
}

// "quants", "devices" and "curve" of one answer, each {"ok": true, ...} as the functions above
// write them, and "setups": the solver's ranked setups on this device (as `willitfit fit --json`);
// nothing for a "what runs on this device" answer (it has no single model) or a model without a
// device (its answer is the comparison).
void write_more(wif::JsonWriter& w, const wif::Answer& answer, int points) {
    if (answer.intent == wif::Intent::what_fits || answer.intent == wif::Intent::sizes) return;
    const wif::Catalog& c = catalog().value();
    const wif::ResolvedRequest& r = answer.request;  // at the device count the answer is about
    w.key("quants").begin_object().field("ok", true).key("options");
    wif::write_options(w, wif::quant_options(c, r));
    w.end_object().key("devices").begin_object().field("ok", true).key("options");
    wif::write_options(w, wif::device_options(c, r));
    w.end_object().key("curve").begin_object().field("ok", true).field("max_context", answer.max_context).key("points");
    wif::write_curve(w, wif::context_curve(r, points < 1 ? 1 : points > 400 ? 400 : points));
    w.end_object().key("setups");
    wif::write_solution(w, wif::solve(c, r, wif::kDefaultMinSpeed));
}

// kind "ask": `input` is the question's text; kind "estimate": `input` is request JSON.
// `units`: "gb", "gib", or "" for what the question or request says.
// Returns {"answer": <as ask or estimate returns it>} and, when `points` > 0, "quants", "devices"
// and "curve" ({"ok", "max_context", "points"} with that many samples) of the same answer.
std::string answer_page(const std::string& kind, const std::string& input, const std::string& units, int points) {
    if (!catalog()) return fail(catalog().error());
    const wif::Catalog& c = catalog().value();
    last_answer().reset();
    wif::JsonWriter w;
    w.begin_object().key("answer");
    if (kind == "ask") {
        static const wif::QuestionParser parser(c);
        wif::Asked asked = wif::ask(parser, c, input, units_of(units));
        wif::write_asked(w, asked, input);
        last_answer() = std::move(asked.answer);
    } else {
        wif::Expected<Json> parsed = wif::parse_json(input, "request");
        wif::Expected<wif::Request> request = parsed ? wif::request_from_json(parsed.value()) : wif::Expected<wif::Request>(parsed.error());
        if (request && units_of(units)) request->units = *units_of(units);
        wif::Expected<wif::Answer> a = request ? wif::answer_request(c, request.value()) : wif::Expected<wif::Answer>(request.error());
        if (a) {
            wif::write_answer(w, a.value());
            last_answer() = std::move(a.value());
        } else {
            wif::write_error(w, a.error());
        }
    }
    if (last_answer() && points > 0) write_more(w, *last_answer(), points);
    w.end_object();
    return w.take();
}

// The "quants", "devices" and "curve" of the last answer answer_page gave ({} after an error).
std::string answer_page_more(int points) {
    wif::JsonWriter w;
    w.begin_object();
    if (catalog() && last_answer()) write_more(w, *last_answer(), points);
    w.end_object();
    return w.take();
}

std::string format_bytes(double bytes, const std::string& units) {
    if (!(bytes > -9e18 && bytes < 9e18)) bytes = 0;
    return wif::format_bytes(static_cast<wif::bytes_t>(bytes < 0 ? bytes - 0.5 : bytes + 0.5), units == "gib" ? wif::Units::gib : wif::Units::gb);
}

}  // namespace

EMSCRIPTEN_BINDINGS(willitfit_page) {
    emscripten::function("answer_page", &answer_page);
    emscripten::function("answer_page_more", &answer_page_more);
    emscripten::function("format_bytes", &format_bytes);
}

// ---- A model file's header (the full module only) ---------------------------------------------
//
// inspect_file: the page reads the head of a .gguf / .safetensors file with File.slice (never the
// whole file) and passes those bytes (a Uint8Array: Embind copies it into a std::string as it is,
// byte for byte) with the file's size. The answer is {"ok": true, "file": <write_model_file,
// without the tensor list>}, or {"ok": false, "error": {"code": "need_more", "message",
// "need_bytes": N}} when the header runs past the bytes given (read N bytes from the start and
// call again), or another error. The file read last is kept for answer_file, which answers a
// request (device, quant, ctx, ... but no model) about it with the file's shape and exact weights.
#ifndef WIF_PAGE_CORE
#include <cmath>
#include <memory>

#include "files/model_file.hpp"
#include "files/model_set.hpp"

namespace {

std::shared_ptr<const wif::ModelFile>& kept_file() {
    static std::shared_ptr<const wif::ModelFile> file;
    return file;
}

// A file read: kept for answer_file and written as {"ok": true, "file"}, or the error, with
// "need_bytes" (and, for several files, "file": which one) when a header needs more bytes.
std::string kept_or_error(wif::Expected<wif::ModelFile> file, std::uint64_t need, std::int64_t which = -1) {
    if (!file) {
        wif::JsonWriter w;
        w.begin_object().field("ok", false).key("error").begin_object();
        w.field("code", file.error().code).field("message", file.error().message);
        if (file.error().code == "need_more") {
            w.field("need_bytes", static_cast<std::int64_t>(need));
            if (which >= 0) w.field("file", which);
        }
        w.end_object().end_object();
        return w.take();
    }
    auto kept = std::make_shared<const wif::ModelFile>(std::move(file.value()));
    kept_file() = kept;
    return wrap("file", [&](wif::JsonWriter& w) { wif::write_model_file(w, *kept, false); });
}

std::string inspect_file(const std::string& head, double file_size) {
    if (!(file_size >= 0 && file_size < 9.0e15) || std::floor(file_size) != file_size) {
        return fail(wif::make_error("invalid_argument", "inspect_file: the file size must be a whole number of bytes"));
    }
    kept_file().reset();  // a failed read leaves no earlier file behind to be answered by mistake
    const auto size = static_cast<std::uint64_t>(file_size);
    if (head.size() > size) return fail(wif::make_error("invalid_argument", "inspect_file: more bytes given than the file holds"));
    std::uint64_t need = 0;
    return kept_or_error(wif::inspect_model_file(head, size, &need), need);
}

// inspect_files: several files of one model (a split GGUF's parts, safetensors shards with the
// index and config.json, a projector beside its model). `list` is JSON [{"name", "size",
// "length"}, ...] and `heads` every file's head, one after another, `length` bytes each. On
// need_more the error also says which file ("file": its position) needs "need_bytes" bytes.
std::string inspect_files(const std::string& list, const std::string& heads) {
    kept_file().reset();
    wif::Expected<Json> parsed = wif::parse_json(list, "files");
    if (!parsed) return fail(parsed.error());
    if (!parsed->is_array() || parsed->empty()) return fail(wif::make_error("invalid_argument", "inspect_files: expected a list of files"));
    std::vector<wif::FileHead> files;
    std::size_t at = 0;
    for (const Json& f : parsed.value()) {
        if (!f.is_object()) return fail(wif::make_error("invalid_argument", "inspect_files: each file is {name, size, length}"));
        wif::FieldReader r(f, "files");
        wif::FileHead h;
        h.name = r.string("name", "", true);
        const std::int64_t size = r.integer("size", 0, 0, std::int64_t{1} << 53, true);
        const std::int64_t length = r.integer("length", 0, 0, std::int64_t{1} << 53, true);
        if (!r.ok()) return fail(r.error());
        if (static_cast<std::uint64_t>(length) > heads.size() - at) return fail(wif::make_error("invalid_argument", "inspect_files: fewer bytes than the lengths say"));
        h.size = static_cast<std::uint64_t>(size);
        h.head = std::string_view(heads).substr(at, static_cast<std::size_t>(length));
        at += static_cast<std::size_t>(length);
        files.push_back(std::move(h));
    }
    std::size_t which = 0;
    std::uint64_t need = 0;
    wif::Expected<wif::ModelFile> file = wif::inspect_model_files(files, &which, &need);
    return kept_or_error(std::move(file), need, static_cast<std::int64_t>(which));
}

// `input`: request JSON without a model (the kept file is the model). `units` as for answer_page.
// Returns the answer as answer_page writes it. It leaves answer_page's last answer alone, so the
// page's own answer and a file's answer never mix.
std::string answer_file(const std::string& input, const std::string& units) {
    if (!catalog()) return fail(catalog().error());
    if (!kept_file()) return fail(wif::make_error("no_file", "answer_file: read a model file with inspect_file first"));
    wif::Expected<Json> parsed = wif::parse_json(input, "request");
    if (!parsed) return fail(parsed.error());
    wif::Expected<wif::Request> request = wif::request_from_json(parsed.value());
    if (!request) return fail(request.error());
    if (units_of(units)) request->units = *units_of(units);
    request->model_file = kept_file();
    wif::Expected<wif::Answer> a = wif::answer_request(catalog().value(), request.value());
    if (!a) return fail(a.error());
    wif::JsonWriter w;
    wif::write_answer(w, a.value());
    return w.take();
}

}  // namespace

EMSCRIPTEN_BINDINGS(willitfit_files) {
    emscripten::function("inspect_file", &inspect_file);
    emscripten::function("inspect_files", &inspect_files);
    emscripten::function("answer_file", &answer_file);
}
#endif
