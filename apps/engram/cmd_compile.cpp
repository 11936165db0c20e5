#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <engram/common/text.hpp>
#include <nlohmann/json.hpp>

#include <engram/common/atomic_file.hpp>
#include <engram/compiler/check.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/network_loader.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

std::string with_commas(double value) {
    return engram::with_commas(static_cast<std::uint64_t>(value + 0.5));
}


constexpr const char* help = R"(Usage: engram compile NETWORK.json [--chip PRESET|CHIP.json] -o IMAGE [--report REPORT.json]
                      [--partitioner auto|sequential|metis]
       engram compile --check NETWORK.json [--chip PRESET|CHIP.json]

Maps a network description (engram-network/1) onto a chip (a preset name, see
`engram chips`, or an engram-chip/1 file; default loihi-like): quantizes it,
partitions it into cores, places the cores, routes the spikes, and writes the
chip image (see docs/mapping.md, docs/chip-image.md). Prints the mapping
report; --report also writes it as JSON.

  --check             validate only: the network, the chip, and what the chip
                      cannot hold at all (delays, learning engine, neurons)
  --chip X            chip preset name or chip JSON file (default: loihi-like)
  -o, --output IMAGE  the chip image to write ("-" for stdout)
  --report FILE       the mapping report as JSON ("-" for stdout)
  --partitioner P     sequential (neuron order), metis (graph partition
                      minimising traffic between cores) or auto (default: both,
                      keeping the one with less inter-core traffic)
  --saturation-error  a weight that saturates is an error, not a count
  --help              show this help

Files are written to a temporary file and renamed: never half-written.
Exit codes: 0 success, 1 invalid or does not fit (one line naming the file
and JSON path, or the core or router and the resource), 2 internal error.
)";

void print_check(const compiler::network& net, const compiler::chip_spec& chip, const compiler::network_summary& s) {
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
}

} // namespace

int run_compile(std::span<const std::string_view> args) {
    std::vector<std::string_view> normalized(args.begin(), args.end());
    for (auto& a: normalized) {
        if (a == "-o") {
            a = "--output";
        }
    }
    const arguments a(normalized, {"--help", "--check", "--saturation-error"}, {"--chip", "--output", "--report", "--partitioner"},
                      "compile");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram compile: expected one network file, found " +
                          std::to_string(a.positional().size()) + " (see engram compile --help)");
    }
    const bool check_only = a.flag("--check");
    if (check_only &&
        (a.option("--output") || a.option("--report") || a.flag("--saturation-error") || a.option("--partitioner"))) {
        throw usage_error("engram compile: --check writes nothing; it takes no --output, --report, "
                          "--saturation-error or --partitioner");
    }
    std::optional<compiler::partitioner> partitioner = compiler::partitioner::automatic;
    if (const auto name = a.option("--partitioner")) {
        partitioner = compiler::partitioner_from_string(*name);
        if (!partitioner) {
            throw usage_error("engram compile: --partitioner must be auto, sequential or metis, found \"" + *name +
                              "\"");
        }
    }
    if (!check_only && !a.option("--output")) {
        throw usage_error("engram compile: name the image to write with -o IMAGE (or validate only with --check)");
    }
    if (a.option("--output") == std::optional<std::string>("-") && a.option("--report") == std::optional<std::string>("-")) {
        throw usage_error("engram compile: the image and the report cannot both go to stdout");
    }
    const std::string chip_name = a.option("--chip").value_or("loihi-like");
    const auto chip = compiler::resolve_chip(chip_name);
    const auto net = compiler::load_network_file(a.positional().front());
    const auto s = compiler::check_network_on_chip(net, chip);
    if (check_only) {
        print_check(net, chip, s);
        return 0;
    }
    compiler::compile_options options;
    options.quantize.saturation_is_error = a.flag("--saturation-error");
    options.partition = *partitioner;
    const auto result = compiler::compile_network(net, chip, options);
    const std::string output = *a.option("--output");
    isa::write_image(result.image, output);
    if (const auto report = a.option("--report")) {
        write_text_file(*report, compiler::to_json(result.report).dump(2) + "\n");
    }
    // The summary goes to stderr when stdout carries the image or the report.
    FILE* out = output == "-" || a.option("--report") == std::optional<std::string>("-") ? stderr : stdout;
    const std::string text = compiler::summary(result.report);
    std::fputs(text.c_str(), out);
    if (output != "-") {
        std::fprintf(out, "wrote %s\n", output.c_str());
    }
    return 0;
}

} // namespace engram::cli
