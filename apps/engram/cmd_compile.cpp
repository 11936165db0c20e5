#include <cstdio>
#include <string>

#include <engram/common/text.hpp>
#include <engram/compiler/check.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/network_loader.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram compile --check NETWORK.json [--chip PRESET|CHIP.json]

Reads a network description (engram-network/1) and a chip (a preset name, see
`engram chips`, or an engram-chip/1 file; default loihi-like), validates both
and checks what the chip cannot hold at all: delays longer than its delay
line, plasticity without a learning engine, learning rules longer than its
microcode memory, more neurons than the whole system has.

  --check        validate only (writing a chip image comes with the mapper)
  --chip X       chip preset name or chip JSON file (default: loihi-like)
  --help         show this help

Exit codes: 0 valid, 1 invalid or does not fit (one line naming the file and
JSON path), 2 internal error.
)";

std::string with_commas(double value) {
    std::string s = std::to_string(static_cast<unsigned long long>(value + 0.5));
    for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) {
        s.insert(static_cast<std::size_t>(i), ",");
    }
    return s;
}

} // namespace

int run_compile(std::span<const std::string_view> args) {
    const arguments a(args, {"--help", "--check"}, {"--chip"}, "compile");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram compile: expected one network file, found " +
                          std::to_string(a.positional().size()) + " (see engram compile --help)");
    }
    if (!a.flag("--check")) {
        throw usage_error("engram compile: this build validates only; pass --check (writing a chip image "
                          "arrives with the mapper)");
    }
    const std::string chip_name = a.option("--chip").value_or("loihi-like");
    const auto chip = compiler::resolve_chip(chip_name);
    const auto net = compiler::load_network_file(a.positional().front());
    const auto s = compiler::check_network_on_chip(net, chip);

    std::printf("network \"%s\" (%s) is valid for chip \"%s\"\n", net.name.c_str(), net.source.c_str(),
                chip.name.c_str());
    std::printf("  time step     %s ms, seed %llu\n", format_number(net.dt).c_str(),
                static_cast<unsigned long long>(net.seed));
    std::printf("  populations   %zu (%s neurons, %s of them IF_curr_exp)\n", s.populations,
                with_commas(static_cast<double>(s.neurons)).c_str(),
                with_commas(static_cast<double>(s.compute_neurons)).c_str());
    std::printf("  projections   %zu, about %s synapses (%s plastic)\n", s.projections,
                with_commas(s.expected_synapses).c_str(), with_commas(s.plastic_synapses).c_str());
    std::printf("  plasticity    %zu rule%s\n", s.rules, s.rules == 1 ? "" : "s");
    std::printf("  delays        up to %u step%s (chip holds %u)\n", s.max_delay_steps,
                s.max_delay_steps == 1 ? "" : "s", chip.core.max_delay);
    std::printf("  cores         at least %llu of %llu by neuron count alone\n",
                static_cast<unsigned long long>(s.cores_needed_at_least),
                static_cast<unsigned long long>(chip.core_count()));
    return 0;
}

} // namespace engram::cli
