// libFuzzer target for the network and chip loaders, and for the mapper on
// the networks that load. Every input must either
// load or raise an engram::user_error; anything else (a logic_error, a stray
// library exception, a crash, a sanitizer report) is a bug.
// Build and run: scripts/fuzz.sh [seconds]

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <engram/common/error.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/check.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    engram::compiler::network_load_options options;
    options.limits.max_bytes = std::size_t{1} << 20;
    // Spike files named by the input resolve under a directory that does not exist.
    options.base_directory = "/nonexistent-engram-fuzz";
    try {
        const auto net = engram::compiler::load_network_text(text, "fuzz.json", options);
        // Networks small enough to map quickly also go through the whole
        // mapper (quantize, partition, place, route, image validation).
        static const auto chip = engram::compiler::load_chip_preset("loihi-like");
        const auto summary = engram::compiler::check_network_on_chip(net, chip);
        if (summary.neurons <= 4096 && summary.expected_synapses <= 20000.0) {
            (void)engram::compiler::compile_network(net, chip);
        }
    }
    catch (const engram::user_error&) {
    }
    try {
        (void)engram::compiler::load_chip_text(text, "fuzz-chip.json", options.limits);
    }
    catch (const engram::user_error&) {
    }
    return 0;
}
