// Command-line parsing for willitfit: a command, positional words and --flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "base/json_fields.hpp"
#include "request/request.hpp"

namespace wif::cli {

struct Args {
    std::string command;                       // ask | infer | list | sweep | help | version
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;  // --name value (value "" for switches)
    bool json = false;
};

// Rejects flags the command does not take, with the list of those it does.
Expected<Args> parse_args(int argc, const char* const* argv);

// The infer flags as a request: each flag is the request field of the same name (--kv-type is
// kv_type), read by the same request_from_json as the page's JSON. --hf-config is read
// with a size limit (read_file.hpp); it is the only I/O here.
Expected<Request> infer_request(const Args& args);
// The train flags: the model and hardware fields as above, the rest as training options.
Expected<Request> train_request(const Args& args);
// The request fields among the flags, as a JSON object (shared by infer, serve, fit and train).
Expected<Json> request_json(const Args& args);

// A real number in [min, max]; the message names the flag.
Expected<double> parse_real(const std::string& text, const std::string& flag, double min, double max);

// "8192", "8k", "32K", "128k" -> tokens (at most kMaxContext).
Expected<std::int64_t> parse_tokens(const std::string& text, const std::string& flag);

}  // namespace wif::cli
