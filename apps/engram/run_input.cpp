#include "run_input.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>

#include <engram/common/error.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

bool looks_like_image(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw file_error(file, "cannot open");
    }
    char magic[8] = {};
    in.read(magic, sizeof magic);
    return in.gcount() == static_cast<std::streamsize>(sizeof magic) &&
           std::string_view(magic, sizeof magic) == isa::image_magic;
}

} // namespace

run_input load_run_input(const std::string& file, const std::optional<std::string>& chip_name, bool quiet,
                         const std::string& command) {
    run_input out;
    if (looks_like_image(file)) {
        if (chip_name) {
            throw usage_error("engram " + command + ": " + file +
                              " is a chip image, which holds its chip; --chip applies to a network description");
        }
        out.image = isa::read_image(file);
        out.description = "image " + file;
        out.is_image = true;
        return out;
    }
    const std::string chip_text = chip_name.value_or("loihi-like");
    const auto chip = compiler::resolve_chip(chip_text);
    const auto net = compiler::load_network_file(file);
    auto result = compiler::compile_network(net, chip, {});
    out.image = std::move(result.image);
    out.description = "network " + file + " compiled for " + chip.name;
    if (!quiet) {
        std::fprintf(stderr, "compiled \"%s\" for %s: %zu cores\n", net.name.c_str(), chip.name.c_str(),
                     out.image.cores.size());
    }
    double interval = 0;
    bool any_state = false;
    for (const compiler::recording& r: net.recordings) {
        const auto p = static_cast<std::uint32_t>(r.population);
        for (compiler::recorded_variable v: r.variables) {
            if (v == compiler::recorded_variable::spikes) {
                out.spike_populations.push_back(p);
                continue;
            }
            if (any_state && interval != r.interval) {
                interval = std::min(interval, r.interval);
            } else if (!any_state) {
                interval = r.interval;
            }
            any_state = true;
            std::vector<std::uint32_t> neurons = r.neurons;
            if (neurons.empty()) {
                for (std::uint32_t i = 0; i < out.image.populations[p].size; ++i) {
                    neurons.push_back(i);
                }
            }
            for (std::uint32_t i: neurons) {
                if (const auto at = isa::locate_neuron(out.image, p, i)) {
                    out.probes.push_back(*at);
                }
            }
        }
    }
    if (any_state && interval > 0) {
        out.probe_every = static_cast<std::uint32_t>(std::max(1.0, std::round(interval / net.dt)));
    }
    return out;
}

} // namespace engram::cli
