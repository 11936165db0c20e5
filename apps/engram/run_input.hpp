#pragma once

// What `engram run` and `engram power` share: turning IMAGE|NETWORK.json into
// a chip image (compiling on the fly), with the network's recording requests.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <engram/isa/chip_image.hpp>

namespace engram::cli {

struct run_input {
    isa::chip_image image;
    std::string description;                        // "image x.engram" or "network n.json on loihi-like"
    bool is_image = false;                          // false: compiled from a network description
    std::vector<std::uint32_t> spike_populations;   // from the network's recording section
    std::vector<isa::neuron_location> probes;
    std::uint32_t probe_every = 1;
};

// An image is recognised by its magic; anything else is read as a network
// description and compiled for `chip` (default loihi-like).
run_input load_run_input(const std::string& file, const std::optional<std::string>& chip, bool quiet,
                         const std::string& command);

} // namespace engram::cli
