// The chip image: every invariant of validate_image, each broken one named
// by kind, core, table, index and reason.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <engram/isa/chip_image.hpp>

#include "image_bytes_helpers.hpp"
#include "image_fixtures.hpp"

namespace {


namespace isa = engram::isa;
using isa::image_error;
using problem = isa::image_error::problem;
using isa::fixtures::contains;

std::optional<image_error> validate_error(const isa::chip_image& image) {
  try {
    isa::validate_image(image, "test.engram");
  } catch (const image_error& e) {
    return e;
  }
  ADD_FAILURE() << "validate_image accepted the image";
  return std::nullopt;
}

// --- Invariants ---------------------------------------------------------------

struct invariant_case {
  const char* name;
  std::function<void(isa::chip_image&)> mutate;
  std::optional<std::uint32_t> core;
  std::string section;
  std::optional<std::uint64_t> index;
  std::vector<std::string> keywords;
};

TEST(chip_image, validate_names_every_broken_invariant) {
  using isa::learn_operand;
  const std::optional<std::uint64_t> none;
  const std::vector<invariant_case> cases = {
      {"delay 0", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[0]});
         w.delay = 0;
         i.cores[1].synapse_memory[0] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 0, {"delay 0", "1..15"}},
      {"delay above the chip's max_delay", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[2]});
         w.delay = 16;
         i.cores[1].synapse_memory[2] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 2, {"delay 16", "max_delay is 15"}},
      {"target outside the core", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[2]});
         w.target = 3;
         i.cores[1].synapse_memory[2] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 2, {"target 3", "has 3"}},
      {"excitatory synapse with a negative weight", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[5]});
         w.weight = -5;
         i.cores[1].synapse_memory[5] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 5, {"excitatory", "weight -5"}},
      {"inhibitory synapse with a positive weight", [](auto& i) {
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[5]});
         w.receptor = isa::receptor_kind::inhibitory;
         i.cores[1].synapse_memory[5] = static_cast<std::uint32_t>(isa::pack(w)[0]);
       }, 1, "synapse_memory", 5, {"inhibitory", "weight 12"}},
      {"unused bits of a plastic word", [](auto& i) { i.cores[1].synapse_memory[1] |= 1u << 30; },
       1, "synapse_memory", 1, {"unused bits of PlasticWord"}},
      {"plastic synapse in a row without learning", [](auto& i) { i.cores[1].axons[0].learning = 0; },
       1, "synapse_memory", 0, {"plastic", "learning bit is 0"}},
      {"plastic synapse without its PlasticWord", [](auto& i) { i.cores[1].axons[0].row_len = 1; },
       1, "synapse_memory", 0, {"PlasticWord is missing"}},
      {"plastic weight outside the rule's bounds", [](auto& i) { i.cores[1].rules[0].w_max = 30; },
       1, "synapse_memory", 0, {"plastic weight 40", "[0, 30]"}},
      {"row past the synapse memory", [](auto& i) { i.cores[1].axons[3].row_len = 10; },
       1, "axons", 3, {"runs past", "12 words"}},
      {"overlapping rows", [](auto& i) { i.cores[1].axons[1].row_base = 2; },
       1, "axons", 1, {"overlaps the row of axon 0"}},
      {"weight_exp outside -6..7", [](auto& i) { i.cores[1].axons[2].weight_exp = -7; },
       1, "axons", 2, {"weight_exp -7", "-6..7"}},
      {"weight_exp other than the projection's", [](auto& i) { i.cores[1].axons[2].weight_exp = 3; },
       1, "axons", 2, {"weight_exp 3", "input_exc", "2"}},
      {"a field value its field cannot hold", [](auto& i) { i.cores[1].axons[1].row_base = 1u << 20; },
       1, "axons", 1, {"row_base", "20-bit"}},
      {"rule index out of range", [](auto& i) { i.cores[1].axons[1].rule = 1; },
       1, "axons", 1, {"rule 1", "1 rules"}},
      {"rule past the microcode", [](auto& i) { i.cores[1].rules[0].num_terms = 4; },
       1, "rules", 0, {"run past", "3 microcode words"}},
      {"num_terms 0", [](auto& i) { i.cores[1].rules[0].num_terms = 0; },
       1, "rules", 0, {"num_terms 0"}},
      {"last set on a middle term", [](auto& i) { i.cores[1].microcode[1].last = 1; },
       1, "microcode", 1, {"last is 1", "final term"}},
      {"last missing on the final term", [](auto& i) { i.cores[1].microcode[2].last = 0; },
       1, "microcode", 2, {"last is 0"}},
      {"op none with a constant", [](auto& i) { i.cores[1].microcode[0].const2 = 5; },
       1, "microcode", 0, {"op2 is none", "const2 is 5"}},
      {"operand that is no enumerator", [](auto& i) { i.cores[1].microcode[0].op1 = static_cast<learn_operand>(14); },
       1, "microcode", 0, {"learn_operand"}},
      {"two epochs on one core", [](auto& i) {
         auto& c = i.cores[1];
         c.rules.push_back(c.rules[0]);
         c.rules[1].epoch = 2;
       }, 1, "rules", 1, {"epoch 2", "one epoch"}},
      {"w_min above w_max", [](auto& i) { i.cores[1].rules[0].w_min = 50; i.cores[1].rules[0].w_max = 40; },
       1, "rules", 0, {"w_min 50", "w_max 40"}},
      {"rule reading a channel the core does not receive", [](auto& i) { i.cores[1].rules[0].modulator = 3; },
       1, "rules", 0, {"modulator channel 3"}},
      {"input map out of order", [](auto& i) {
         auto& c = i.cores[1];
         std::swap(c.input_map[0], c.input_map[1]);
         std::swap(c.input_projection[0], c.input_projection[1]);
       }, 1, "input_map", 1, {"sorted"}},
      {"input map naming a missing core", [](auto& i) { i.cores[1].input_map[0].src_core = 5; },
       1, "input_map", 0, {"src_core 5"}},
      {"input map neurons outside the source core", [](auto& i) { i.cores[1].input_map[0].neuron_base = 2; },
       1, "input_map", 0, {"neurons 2..5 of core 0", "has 5"}},
      {"input map axons outside the axon table", [](auto& i) { i.cores[1].input_map[1].axon_base = 5; },
       1, "input_map", 1, {"axons 5", "has 5"}},
      {"an axon fed twice", [](auto& i) { i.cores[1].input_map[1].axon_base = 3; },
       1, "input_map", 1, {"axon 3", "two input-map entries"}},
      {"an axon fed by nobody", [](auto& i) { i.cores[1].axons.push_back({}); },
       1, "axons", 5, {"no input-map entry"}},
      {"input map from a silent neuron", [](auto& i) { i.cores[0].emits[2] = 0; },
       1, "input_map", 0, {"neuron 2", "input[2]", "does not emit"}},
      {"route key outside its mask", [](auto& i) { i.cores[1].routes[0].key = 0x1; },
       1, "routes", 0, {"key 0x0000001", "outside its mask 0xffff000"}},
      {"route off the grid", [](auto& i) { i.cores[0].routes[1].ports = 1u << 1; },
       0, "routes", 1, {"west", "edge"}},
      {"route to nowhere", [](auto& i) { i.cores[0].routes[0].ports = 0; },
       0, "routes", 0, {"ports is 0"}},
      {"a router without a core on a core's position", [](auto& i) {
         i.routers = {{1, 0, {{.key = 0, .mask = 0xffff000, .ports = 1u << 1}}}};
       }, none, "routers", 0, {"router (1,0) sits on core 1"}},
      {"routers out of order", [](auto& i) {
         i.chip.mesh_width = 4;
         i.routers = {{3, 0, {}}, {2, 0, {}}};
       }, none, "routers", 1, {"router (2,0) comes after (3,0)", "sorted by (y, x)"}},
      {"a router entry off the grid", [](auto& i) {
         i.chip.mesh_width = 3;
         i.routers = {{2, 0, {{.key = 0, .mask = 0xffff000, .ports = 1u << 4}, {.key = 0, .mask = 0, .ports = 1u << 0}}}};
       }, none, "routers", 0, {"router (2,0) entry 1", "sends east off the edge"}},
      {"two cores at one position", [](auto& i) { i.cores[1].x = 0; },
       1, "position", none, {"core 0 sits at the same position"}},
      {"core outside the grid", [](auto& i) { i.cores[1].y = 1; },
       1, "position", none, {"(1,1)", "2 x 1 grid"}},
      {"more neurons than a core holds", [](auto& i) { i.chip.neurons = 4; },
       0, "neurons", none, {"needs 5 neurons", "has 4"}},
      {"more synapse words than a core holds", [](auto& i) { i.chip.synapse_words = 10; },
       1, "synapse_memory", none, {"needs 12 words", "has 10", "synapse_words"}},
      {"more emitting neurons than output axons", [](auto& i) { i.chip.output_axons = 4; },
       0, "emits", none, {"needs 5 output axons", "output_axons"}},
      {"more routes than router entries", [](auto& i) { i.chip.router_entries = 1; },
       0, "routes", none, {"needs 2 router entries"}},
      {"per-neuron tables of different sizes", [](auto& i) { i.cores[1].emits.pop_back(); },
       1, "emits", none, {"2 entries for 3 neurons"}},
      {"profile index out of range", [](auto& i) { i.cores[1].profile[2] = 1; },
       1, "profile", 2, {"profile 1", "1 profiles"}},
      {"threshold_mant 0", [](auto& i) { i.cores[1].profiles[0].threshold_mant = 0; },
       1, "profiles", 0, {"threshold_mant is 0"}},
      {"reset at the threshold", [](auto& i) { i.cores[1].profiles[0].reset_mant = 2000; },
       1, "profiles", 0, {"reset_mant 2000", "threshold_mant 2000"}},
      {"negative initial excitatory current", [](auto& i) { i.cores[1].initial_state[1].u_exc = -1; },
       1, "initial_state", 1, {"u_exc -1"}},
      {"source steps not ascending", [](auto& i) { i.cores[0].sources[1].steps = {9, 9}; },
       0, "sources", 1, {"not strictly ascending", "9 follows 9"}},
      {"modulator payloads missing", [](auto& i) { i.cores[0].sources[4].payloads.pop_back(); },
       0, "sources", 4, {"1 payloads for 2 steps"}},
      {"a lif neuron with a program", [](auto& i) { i.cores[1].sources[0].steps = {1}; },
       1, "sources", 0, {"lif neuron has a source program"}},
      {"trace profiles not in pairs", [](auto& i) { i.cores[1].pre_trace_profiles.pop_back(); },
       1, "pre_trace_profiles", none, {"not 2"}},
      {"modulator traces of the wrong count", [](auto& i) { i.cores[1].modulator_traces.pop_back(); },
       1, "modulator_traces", none, {"7 entries", "0 or 8"}},
      {"slices overlapping", [](auto& i) { i.slices[2].count = 2; i.populations[1].size = 3; i.slices.push_back({1, 1, 2, 1, 1}); },
       none, "slices", 3, {"\"exc\" neuron 1 is in two slices"}},
      {"a population neuron in no slice", [](auto& i) { i.populations[1].size = 4; },
       none, "populations", 1, {"\"exc\" neurons 3..3", "no slice"}},
      {"a slice whose kind differs from its core's neurons", [](auto& i) { i.cores[0].kinds[4] = isa::neuron_kind::spike_array; i.cores[0].sources[4].payloads.clear(); },
       0, "kinds", 4, {"spike_array", "\"reward\" is modulator"}},
      {"a projection onto a source", [](auto& i) { i.projections[0].post = 0; },
       none, "projections", 0, {"\"input\"", "not lif"}},
      {"two populations with one name", [](auto& i) { i.populations[2].name = "exc"; },
       none, "populations", 2, {"also population 1"}},
      {"dt of zero", [](auto& i) { i.dt_ms = 0; }, none, "network", none, {"dt_ms"}},
      {"max_delay above 63", [](auto& i) { i.chip.max_delay = 64; }, none, "chip", none, {"max_delay 64", "1..63"}},
      {"a chip grid without inter-chip links", [](auto& i) { i.chip.chips_width = 2; }, none, "chip", none, {"inter-chip"}},
      {"a name with a control character", [](auto& i) { i.projections[0].name = "a\nb"; },
       none, "projections", 0, {"control character 0x0a"}},
  };
  ASSERT_GE(cases.size(), 15u);
  for (const invariant_case& c : cases) {
    SCOPED_TRACE(c.name);
    isa::chip_image image = isa::fixtures::example_image();
    c.mutate(image);
    const auto e = validate_error(image);
    if (!e) {
      continue;
    }
    EXPECT_EQ(e->kind, problem::invariant);
    EXPECT_EQ(e->source, "test.engram");
    EXPECT_EQ(e->core, c.core) << e->what();
    EXPECT_EQ(e->section, c.section) << e->what();
    EXPECT_EQ(e->index, c.index) << e->what();
    for (const std::string& k : c.keywords) {
      EXPECT_TRUE(contains(e->reason, k)) << "\"" << k << "\" missing from: " << e->what();
    }
    if (c.core) {
      const std::string where = "core " + std::to_string(*c.core) + " (" + std::to_string(image.cores[*c.core].x) +
                                "," + std::to_string(image.cores[*c.core].y) + ")";
      EXPECT_TRUE(contains(e->what(), where)) << e->what();
    }
  }
}

TEST(chip_image, poisson_counter_and_probability_are_checked) {
  isa::chip_image image = isa::fixtures::example_image();
  // input becomes a Poisson population.
  image.populations[0].kind = isa::neuron_kind::poisson;
  for (std::uint32_t i = 0; i < 4; ++i) {
    image.cores[0].kinds[i] = isa::neuron_kind::poisson;
    image.cores[0].sources[i] = {.p32 = isa::p32_always, .population = 0, .index = i};
  }
  ASSERT_NO_THROW(isa::validate_image(image));

  isa::chip_image bad = image;
  bad.cores[0].sources[2].p32 = isa::p32_always + 1;
  auto e = validate_error(bad);
  EXPECT_EQ(e->section, "sources");
  EXPECT_EQ(e->index, 2u);
  EXPECT_TRUE(contains(e->reason, "exceeds 2^32")) << e->reason;

  bad = image;
  bad.cores[0].sources[3].index = 2;
  e = validate_error(bad);
  EXPECT_EQ(e->core, 0u);
  EXPECT_EQ(e->index, 3u);
  EXPECT_TRUE(contains(e->reason, "input[3]")) << e->reason;
}

}  // namespace
