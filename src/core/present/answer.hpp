// One full answer (estimate, suggestions, largest context) and its JSON form, which the CLI's
// --json output and the WebAssembly API share byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "advice/advice.hpp"
#include "facts/catalog.hpp"
#include "pipeline/estimate.hpp"
#include "base/json_fields.hpp"
#include "base/json_writer.hpp"
#include "question/question.hpp"
#include "request/request.hpp"
#include "advice/sweep.hpp"

namespace wif {

struct Answer {
    ResolvedRequest request;
    Estimate estimate;
    std::vector<Suggestion> suggestions;
    std::int64_t max_context = 0;
};

Expected<Answer> answer_request(const Catalog& catalog, const InferenceRequest& request);

// JSON writers: each writes one value. Field names are the snake_case names used everywhere.
void write_answer(JsonWriter& out, const Answer& answer);
void write_error(JsonWriter& out, const Error& error);  // {"ok": false, "error": {"code", "message"}}
void write_options(JsonWriter& out, const std::vector<Option>& options);
void write_curve(JsonWriter& out, const std::vector<CurvePoint>& curve);
// Counts of a sweep; with `rows`, also the catalog ids and every row.
void write_sweep(JsonWriter& out, const Catalog& catalog, const SweepResult& result, bool rows);
void write_models(JsonWriter& out, const Catalog& catalog);
void write_devices(JsonWriter& out, const Catalog& catalog);
void write_quants(JsonWriter& out, const Catalog& catalog);

// Whole documents, as the CLI prints them and the WebAssembly functions return them.
std::string error_json(const Error& error, int indent = -1);
// A free-text question answered: the answer plus a "question" object with the text, what was
// understood, the ambiguities and the request it became.
std::string ask_json(const Catalog& catalog, std::string_view text, int indent = -1);
std::string ask_json(const QuestionParser& parser, const Catalog& catalog, std::string_view text, int indent = -1);
// A request given as JSON text (the page's form, the CLI's flags).
std::string estimate_json(const Catalog& catalog, const std::string& request, int indent = -1);

}  // namespace wif
