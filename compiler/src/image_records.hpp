#pragma once

// The records of a chip image that come straight from the network and the
// chip description, without mapping decisions: the chip's figures, each
// neuron's kind, and the program of a spike source. Private to the compiler.

#include <cstdint>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/network.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::compiler {

isa::image_chip image_chip_of(const chip_spec& c);
isa::neuron_kind kind_of(neuron_model m);
// The spike program of neuron i of source population p (numerics §9).
isa::spike_source source_program(const network& net, std::size_t p, std::uint32_t i);

} // namespace engram::compiler
