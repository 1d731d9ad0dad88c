// One full answer to a question of any kind (memory, speed, training, how many devices, what
// fits) and its JSON form, which the CLI's --json output and the WebAssembly API share byte for
// byte. answer_request is the one assembly of the stages: resolve -> plan and bill -> place ->
// the workload's own stage -> words written from the finished numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "advice/advice.hpp"
#include "advice/bands.hpp"
#include "facts/catalog.hpp"
#include "pipeline/estimate.hpp"
#include "base/json_fields.hpp"
#include "base/json_writer.hpp"
#include "question/question.hpp"
#include "request/request.hpp"
#include "advice/sweep.hpp"

namespace wif {

struct Answer {
    Intent intent = Intent::memory;
    ResolvedRequest request;
    Estimate estimate;                   // inference memory (every intent but what_fits)
    std::vector<Suggestion> suggestions;
    std::int64_t max_context = 0;
    int devices_needed = 0;              // device_count: fewest devices that hold it (0: none up to 64)
    std::vector<Option> models;          // what_fits: every catalog model on this device
    std::vector<SizeRow> sizes;          // sizes: the common formats and the smallest devices for each
    std::optional<SpeedEstimate> speed;  // tokens/s when the model runs on the device (every inference answer)
    std::string speed_error;             // why there is no speed (no bandwidth figure, does not fit)
    std::optional<TrainingEstimate> training;
    std::optional<ServingEstimate> serving;
    // Error bands (advice/bands.hpp): the range the validation errors of the answer's category and
    // engine give each figure. memory_band: the memory the verdict weighs (gpu_bytes; total_bytes on
    // a CPU; the peak per GPU when training). layers_band: layers on the GPU when offloading.
    std::optional<Band> memory_band;
    std::optional<Band> layers_band;
    std::optional<Band> decode_band, prefill_band;
    // The memory band straddles the usable memory: the verdict could go either way. The headline
    // says "Borderline" and borderline_reason says why.
    bool borderline = false;
    std::string borderline_reason;
    std::string headline;                // the answer in one sentence, for the intent asked
    std::vector<std::string> explanation;  // the lines under the headline, for the intent asked
    std::vector<std::string> assumptions;
};

Expected<Answer> answer_request(const Catalog& catalog, const Request& request);

// A free-text question: what was understood, and the answer or why there is none.
struct Asked {
    std::optional<ParsedQuestion> question;  // unset when the words could not be read
    std::optional<Answer> answer;
    Error error;                             // set when there is no answer
};
// `units`, when given, overrides what the question says ("in GiB").
Asked ask(const QuestionParser& parser, const Catalog& catalog, std::string_view text, std::optional<Units> units = {});

// JSON writers: each writes one value. Field names are the snake_case names used everywhere.
void write_answer(JsonWriter& out, const Answer& answer);
void write_error(JsonWriter& out, const Error& error);  // {"ok": false, "error": {"code", "message"}}
void write_options(JsonWriter& out, const std::vector<Option>& options);
void write_solution(JsonWriter& out, const Solution& solution);
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
std::string ask_json(const QuestionParser& parser, const Catalog& catalog, std::string_view text, int indent = -1,
                     std::optional<Units> units = {});
void write_asked(JsonWriter& out, const Asked& asked, std::string_view text);
// A request given as JSON text (the page's form, the CLI's flags).
std::string estimate_json(const Catalog& catalog, const std::string& request, int indent = -1);

}  // namespace wif
