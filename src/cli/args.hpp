// Command-line parsing for willitfit: a command, positional words and --flags.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/expected.hpp"
#include "base/json_fields.hpp"

namespace wif::cli {

struct Args {
    std::string command;                       // ask | infer | list | sweep | help | version
    std::vector<std::string> positional;
    std::map<std::string, std::string> flags;  // --name value (value "" for switches)
    bool json = false;
};

// Rejects flags the command does not take, with the list of those it does.
Expected<Args> parse_args(int argc, const char* const* argv);

// The infer flags as the request JSON text the core reads (request_from_json).
// `read_file` loads --hf-config paths; it is the only I/O here.
Expected<std::string> infer_request(const Args& args, std::string (*read_file)(const std::string&, bool&));

}  // namespace wif::cli
