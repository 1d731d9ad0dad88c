// Free-text questions ("llama 3.1 70b q4_k_m on 2x 3090") -> a Request: what is asked (the intent),
// what was understood, what was ambiguous (and the candidates). The parse runs in small steps:
// tokens, catalog names, intent, numbers with units, model, format, device, count.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "facts/catalog.hpp"
#include "base/expected.hpp"
#include "request/request.hpp"

namespace wif {

struct ParsedQuestion {
    Request request;
    std::vector<std::string> understood;   // "model: Llama 3.1 70B", "device: 2 x NVIDIA GeForce RTX 3090"
    std::vector<std::string> ambiguities;  // what could mean several things, the pick and the candidates
    std::vector<std::string> model_candidates;   // catalog ids, when the model was ambiguous
    std::vector<std::string> device_candidates;  // catalog ids, when the device was ambiguous
};

// Tokenized catalog names, built once per catalog (tokenizing every alias per question would
// dominate the time of an answer).
class QuestionParser {
public:
    explicit QuestionParser(const Catalog& catalog);
    // Fails (with candidates in the message) when no model or no device can be found.
    Expected<ParsedQuestion> parse(std::string_view text) const;
    // The same, keeping in `out` what was understood before an error (the page shows it, with the
    // candidates, beside the error).
    Expected<bool> parse_into(std::string_view text, ParsedQuestion& out) const;

    struct Token {
        std::string text;
        bool glued = false;  // no separator before it ("a10", "8gb")
        bool number = false;
        double value = 0;
    };
    struct Alias {
        int entry;
        std::vector<Token> tokens;
    };

private:
    struct Scan;
    void match_names(Scan& s) const;
    void read_intent(Scan& s) const;
    void out_intent(Scan& s, const std::string& what) const;
    void read_quantities(Scan& s) const;
    void apply_matches(Scan& s) const;
    Expected<bool> pick_model(Scan& s) const;
    void pick_format(Scan& s) const;
    Expected<bool> pick_device(Scan& s) const;
    Expected<bool> read_count(Scan& s) const;

    const Catalog& catalog_;
    std::vector<Alias> models_, devices_, quants_;
    std::vector<std::vector<Token>> model_names_;           // each model's name
    std::vector<std::vector<std::vector<Token>>> device_aliases_;  // each device's aliases
    std::vector<std::string> vocabulary_;                  // sorted words of model names
};

// One-off parse (builds a QuestionParser).
Expected<ParsedQuestion> parse_question(const Catalog& catalog, std::string_view text);

}  // namespace wif
