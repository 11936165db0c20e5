// A small image with an indexed input axon (numerics §5): population in[40]
// (spike arrays) sits on cores 0 and 1, 20 neurons each; core 2 holds
// out[0..3], fed by projection in_out through one indexed axon whose one
// input-map entry covers both source cores. docs/chip-image.md shows its
// listing.
#pragma once

#include <cstdint>
#include <vector>

#include <engram/isa/chip_image.hpp>

namespace engram::isa::fixtures {

/// The blocks of indexed_image()'s axon: 3 blocks for 40 sources; block 1 is
/// empty, block 0 holds two sources (3 and 0), block 2 sources 39 and 33.
inline std::vector<std::vector<synapse_word>> indexed_blocks() {
  return {
      {{.weight = 10, .delay = 1, .target = 1, .source = 3}, {.weight = 5, .delay = 2, .target = 0, .source = 0}},
      {},
      {{.weight = -7, .delay = 3, .target = 3, .receptor = receptor_kind::inhibitory, .source = 7},
       {.weight = 20, .delay = 1, .target = 2, .source = 1}},
  };
}

/// Index words, then the blocks' synapses: row_base 0, row_len blocks.size().
inline std::vector<std::uint32_t> indexed_memory(const std::vector<std::vector<synapse_word>>& blocks) {
  std::vector<std::uint32_t> memory;
  std::vector<std::uint32_t> data;
  for (const auto& block : blocks) {
    for (const synapse_word& w : block) {
      data.push_back(static_cast<std::uint32_t>(pack(w)[0]));
    }
    memory.push_back(static_cast<std::uint32_t>(pack(index_word{.run_end = static_cast<std::uint32_t>(data.size())})[0]));
  }
  memory.insert(memory.end(), data.begin(), data.end());
  return memory;
}

inline chip_image indexed_image(const std::vector<std::vector<synapse_word>>& blocks = indexed_blocks()) {
  chip_image img;
  img.network_name = "indexed";
  img.dt_ms = 1.0;
  img.seed = 7;
  image_chip& c = img.chip;
  c.name = "three";
  c.mesh_width = 3;
  c.mesh_height = 1;
  c.neurons = 32;
  c.synapse_words = 64;
  c.input_axons = 4;
  c.output_axons = 32;
  c.neuron_profiles = 1;
  c.router_entries = 4;
  c.max_delay = 7;
  c.clock_mhz = 100;
  c.cycles_per_synaptic_op = 1;
  img.populations = {{"in", 40, neuron_kind::spike_array}, {"out", 4, neuron_kind::lif}};
  img.projections = {{.name = "in_out", .pre = 0, .post = 1, .weight_exp = 1, .weight_lsb_na = 0.5}};
  img.slices = {{0, 0, 20, 0, 0}, {0, 20, 20, 1, 0}, {1, 0, 4, 2, 0}};
  for (std::uint16_t x = 0; x < 2; ++x) {
    core_image& src = img.cores.emplace_back();
    src.x = x;
    src.kinds.assign(20, neuron_kind::spike_array);
    src.profile.assign(20, 0);
    src.initial_state.assign(20, neuron_state{});
    src.emits.assign(20, 1);
    src.sources.assign(20, spike_source{});
  }
  core_image& dst = img.cores.emplace_back();
  dst.x = 2;
  dst.kinds.assign(4, neuron_kind::lif);
  dst.profile.assign(4, 0);
  dst.initial_state.assign(4, neuron_state{});
  dst.emits.assign(4, 0);
  dst.sources.assign(4, spike_source{});
  dst.profiles = {{.threshold_mant = 100}};
  dst.input_map = {{.src_core = 0, .neuron_base = 0, .count = 20, .axon_base = 0, .indexed = 1, .src_cores = 2,
                    .index_base = 0}};
  dst.input_projection = {0};
  dst.axons = {{.row_base = 0, .row_len = static_cast<std::uint32_t>(blocks.size()), .weight_exp = 1, .indexed = 1}};
  dst.synapse_memory = indexed_memory(blocks);
  return img;
}

}  // namespace engram::isa::fixtures
