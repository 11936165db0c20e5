#pragma once

// engram run --write-network: the network description the run started from,
// with every plastic projection replaced by the weights it learned, so the
// trained network can be compiled and run without plasticity.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/emulator/simulation.hpp>

namespace engram::cli {

struct learned_network_summary {
    std::vector<std::size_t> projections;  // indices of the plastic projections rewritten
    std::size_t synapses = 0;     // connections listed in them
};

// `network` is the parsed description the simulation's image was compiled
// from (projection i of the description is projection i of the image). Every
// projection with a "plasticity" key gets a FromList connector with one
// [pre, post, weight nA, delay ms] per synapse, as the simulation holds them
// now (weight = |mantissa| x weight_lsb_na, delay = steps x dt), sorted by
// pre then post; "weight" becomes the largest of them and "delay" the
// shortest, and "plasticity" goes. Rules no projection names any more are
// removed from /plasticity (the key too, once empty). Everything else stays
// as written.
learned_network_summary make_learned_network(nlohmann::ordered_json& network, const emulator::simulation& sim);

// The description in `network_file` as written (key order kept). Throws
// file_error.
nlohmann::ordered_json read_network_document(const std::filesystem::path& network_file);

// make_learned_network on a copy of `network`, written to `out` atomically,
// indented by two, one connection per line.
learned_network_summary write_learned_network(nlohmann::ordered_json network, const std::filesystem::path& out,
                                              const emulator::simulation& sim);

} // namespace engram::cli
