#pragma once

// Reading engram-network/1 descriptions. Every error is an engram::input_error
// subtype naming the source and the JSON pointer of the offending value.

#include <filesystem>
#include <string>
#include <string_view>

#include <engram/common/json_input.hpp>
#include <engram/compiler/network.hpp>

namespace engram::compiler {

struct network_load_options {
    json_input::limits limits{};
    // Directory that relative file names (spike files) are resolved against;
    // load_network_file uses the network file's directory.
    std::filesystem::path base_directory{"."};
};

network load_network(const json_input::document& doc, const network_load_options& options = {});
network load_network_text(std::string_view text, std::string source, const network_load_options& options = {});
network load_network_file(const std::filesystem::path& file, network_load_options options = {});

} // namespace engram::compiler
