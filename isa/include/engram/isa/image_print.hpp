// A readable, deterministic listing of a chip image (`engram inspect`):
// a summary, and on request each core's synapse rows, routing table and
// learning microcode in disassembled form (docs/chip-image.md, "Inspect").
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include <engram/isa/chip_image.hpp>

namespace engram::isa {

struct print_options {
  std::optional<std::uint32_t> core{};  ///< details of this core only (of every core when empty)
  bool synapses = false;              ///< input map and synapse rows
  bool routes = false;                ///< routing tables
  bool microcode = false;             ///< learning rules, disassembled
};

/// The summary (network, chip, totals, populations, projections, a table of
/// the cores), then the details print_options asks for. The image should be
/// valid (read_image validates).
void print_image(std::ostream& out, const chip_image& image, const print_options& options = {});

/// One microcode word: "dw += 2^-2 * x1 * y0", "dt -= (w - 64) * r1".
std::string disassemble_term(const learning_term& term);

/// A rule of a core and its terms on one line:
/// "rule 0 (epoch 1, w in [0, 127], modulator 0): dw += 2^-2 * x1 * y0; dw -= 2^-2 * y1 * x0".
std::string disassemble_rule(const core_image& core, std::uint32_t rule);

/// The ports of RouteEntry.ports by name: "east, local"; "none" for 0.
std::string port_names(std::uint32_t ports);

/// The keys a route entry matches, named: "core 1 neurons 0..15 (exc[0..15])",
/// "any core", "cores 0x0004/0xfffc neurons 0..4095".
std::string describe_route_match(const chip_image& image, const route_entry& entry);

}  // namespace engram::isa
