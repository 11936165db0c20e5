// The chip image: indexed input axons (numerics §5, §12). The fixture is
// valid and decodes to its synapses; each broken invariant is named by kind,
// core, table, index and reason.

#include <cstdint>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <engram/isa/chip_image.hpp>
#include <engram/isa/image_print.hpp>

#include "image_bytes_helpers.hpp"
#include "image_fixtures.hpp"

namespace {

namespace isa = engram::isa;
using isa::image_error;
using problem = isa::image_error::problem;
using isa::fixtures::contains;

struct invariant_case {
  const char* name;
  std::function<isa::chip_image()> make;
  std::optional<std::uint32_t> core;
  std::string section;
  std::optional<std::uint64_t> index;
  std::vector<std::string> keywords;
};

void set_word(isa::chip_image& i, std::uint32_t core, std::uint32_t address, const isa::synapse_word& w) {
  i.cores[core].synapse_memory[address] = static_cast<std::uint32_t>(isa::pack(w)[0]);
}

void set_run_end(isa::chip_image& i, std::uint32_t address, std::uint32_t run_end) {
  i.cores[2].synapse_memory[address] = static_cast<std::uint32_t>(isa::pack(isa::index_word{.run_end = run_end})[0]);
}

TEST(chip_image, indexed_image_is_valid_and_decodes_every_synapse) {
  const isa::chip_image image = isa::fixtures::indexed_image();
  EXPECT_NO_THROW(isa::validate_image(image));
  const isa::core_image& c = image.cores[2];
  const std::vector<isa::indexed_synapse> s = isa::decode_indexed(c, c.axons[0]);
  ASSERT_EQ(s.size(), 4u);
  // Block 0 (words 3, 4): sources 3 and 0; block 1 empty; block 2 (words 5, 6): 39 and 33.
  const std::uint32_t sources[] = {3, 0, 39, 33};
  const std::uint32_t blocks[] = {0, 0, 2, 2};
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(s[k].address, 3 + k);
    EXPECT_EQ(s[k].source, sources[k]);
    EXPECT_EQ(s[k].block, blocks[k]);
  }
  EXPECT_EQ(s[2].word.weight, -7);
  EXPECT_TRUE(isa::decode_row(c, c.axons[0]).empty());
  EXPECT_EQ(isa::axon_words(c, c.axons[0]), 7u);
  const isa::image_totals t = isa::count_totals(image);
  EXPECT_EQ(t.synapses, 4u);
  EXPECT_EQ(t.indexed_synapses, 4u);
  EXPECT_EQ(t.indexed_axons, 1u);
  EXPECT_EQ(t.index_words, 3u);
  EXPECT_EQ(t.synapse_words, 7u);
  // Read back bit for bit.
  EXPECT_EQ(isa::deserialize_image(isa::serialize_image(image), "indexed"), image);
}

TEST(chip_image, print_lists_indexed_entries_and_blocks) {
  std::ostringstream listing;
  isa::print_image(listing, isa::fixtures::indexed_image(), {.core = 2, .synapses = true});
  const std::string s = listing.str();
  for (const char* part : {"4 on 1 indexed axon with 3 index words",
                           "cores 0..1 neurons 0..19 -> indexed axon 0 as in[0..39] via projection in_out",
                           "axon 0 (indexed) <- in via in_out: index 0..2 (3 blocks), blocks 3..6",
                           "block 0 (in[0..15]): words 3..4", "block 2 (in[32..39]): words 5..6",
                           "in[39] -> target 3 w=-7 d=3 inh", "in[33] -> target 2 w=20 d=1 exc"}) {
    EXPECT_TRUE(contains(s, part)) << "\"" << part << "\" missing from:\n" << s;
  }
  EXPECT_FALSE(contains(s, "block 1 ")) << "an empty block is listed:\n" << s;
}

TEST(chip_image, indexed_axon_accepts_several_entries_of_one_projection) {
  // One entry per source core, the second not aligned to 16 (index_base 20).
  isa::chip_image image = isa::fixtures::indexed_image();
  isa::core_image& c = image.cores[2];
  c.input_map = {{.src_core = 0, .neuron_base = 0, .count = 20, .axon_base = 0, .indexed = 1, .src_cores = 1},
                 {.src_core = 1, .neuron_base = 0, .count = 20, .axon_base = 0, .indexed = 1, .src_cores = 1,
                  .index_base = 20}};
  c.input_projection = {0, 0};
  EXPECT_NO_THROW(isa::validate_image(image));
}

TEST(chip_image, validate_names_every_broken_indexed_invariant) {
  using isa::fixtures::example_image;
  using isa::fixtures::indexed_image;
  const std::vector<invariant_case> cases = {
      {"ordinary entry with src_cores 2", [] { auto i = example_image(); i.cores[1].input_map[0].src_cores = 2; return i; },
       1, "input_map", 0, {"src_cores 2", "ordinary entry"}},
      {"ordinary entry with src_cores 0", [] { auto i = example_image(); i.cores[1].input_map[1].src_cores = 0; return i; },
       1, "input_map", 1, {"src_cores 0", "ordinary entry"}},
      {"ordinary entry with an index_base", [] { auto i = example_image(); i.cores[1].input_map[0].index_base = 4; return i; },
       1, "input_map", 0, {"index_base 4", "ordinary entry"}},
      {"ordinary row with a source", [] {
         auto i = example_image();
         auto w = isa::unpack_synapse_word({i.cores[1].synapse_memory[2]});
         w.source = 3;
         set_word(i, 1, 2, w);
         return i;
       }, 1, "synapse_memory", 2, {"source 3", "ordinary axon 0"}},
      {"indexed entry naming an ordinary axon", [] { auto i = example_image(); i.cores[1].input_map[0].indexed = 1; return i; },
       1, "input_map", 0, {"axon 0", "not indexed"}},
      {"ordinary entry naming an indexed axon", [] {
         auto i = indexed_image();
         i.cores[2].input_map[0] = {.src_core = 0, .neuron_base = 0, .count = 1, .axon_base = 0, .src_cores = 1};
         return i;
       }, 2, "input_map", 0, {"ordinary entry", "axon 0, which is indexed"}},
      {"indexed axon that learns", [] { auto i = indexed_image(); i.cores[2].axons[0].learning = 1; return i; },
       2, "axons", 0, {"indexed axon has learning 1", "static synapses only"}},
      {"indexed axon that carries a modulator", [] { auto i = indexed_image(); i.cores[2].axons[0].modulator = 1; return i; },
       2, "axons", 0, {"modulator 1"}},
      {"index of the wrong length", [] {
         auto blocks = isa::fixtures::indexed_blocks();
         blocks.emplace_back();
         return indexed_image(blocks);
       }, 2, "axons", 0, {"row_len 4", "40 neurons", "3 IndexWords"}},
      {"unused bits of an index word", [] { auto i = indexed_image(); i.cores[2].synapse_memory[1] |= 1u << 25; return i; },
       2, "synapse_memory", 1, {"unused bits of IndexWord", "block 1 of axon 0"}},
      {"run_ends going backwards", [] { auto i = indexed_image(); set_run_end(i, 1, 5); return i; },
       2, "synapse_memory", 2, {"run_end 4 of block 2", "below the previous block's 5"}},
      {"blocks past the synapse memory", [] { auto i = indexed_image(); set_run_end(i, 2, 9); return i; },
       2, "axons", 0, {"blocks of indexed axon 0", "words 3..11", "7 words"}},
      {"index past the synapse memory", [] { auto i = indexed_image(); i.cores[2].axons[0].row_base = 5; return i; },
       2, "axons", 0, {"index 5..7", "7 words"}},
      {"plastic synapse in a block", [] {
         auto i = indexed_image();
         auto w = isa::unpack_synapse_word({i.cores[2].synapse_memory[5]});
         w.plastic = 1;
         set_word(i, 2, 5, w);
         return i;
       }, 2, "synapse_memory", 5, {"plastic synapse in block 2", "static synapses only"}},
      {"source past the population", [] {
         auto i = indexed_image();
         auto w = isa::unpack_synapse_word({i.cores[2].synapse_memory[5]});
         w.source = 9;
         set_word(i, 2, 5, w);
         return i;
       }, 2, "synapse_memory", 5, {"index 41", "40 neurons"}},
      {"source index not the neuron's", [] {
         auto i = indexed_image();
         i.cores[2].input_map[0].src_cores = 1;
         i.cores[2].input_map[0].index_base = 20;
         return i;
       }, 2, "input_map", 0, {"core 0 neurons 0..19", "in[0]", "as source indices 20..39"}},
      {"source indices past the population", [] { auto i = indexed_image(); i.cores[2].input_map[0].index_base = 1; return i; },
       2, "input_map", 0, {"source indices 1..40", "has 40"}},
      {"source cores past the image", [] {
         auto i = indexed_image();
         i.cores[2].input_map[0] = {.src_core = 1, .neuron_base = 0, .count = 10, .axon_base = 0, .indexed = 1,
                                    .src_cores = 3};
         return i;
       }, 2, "input_map", 0, {"src_cores 1..3", "3 cores"}},
      {"source fed twice", [] {
         auto i = indexed_image();
         i.cores[2].input_map.push_back(
             {.src_core = 1, .neuron_base = 4, .count = 1, .axon_base = 0, .indexed = 1, .src_cores = 1, .index_base = 24});
         i.cores[2].input_projection.push_back(0);
         return i;
       }, 2, "input_map", 1, {"source index 24", "entry 0", "already"}},
      {"entries of two projections", [] {
         auto i = indexed_image();
         i.projections.push_back(i.projections[0]);
         i.projections[1].name = "in_out_2";
         i.cores[2].input_map = {
             {.src_core = 0, .neuron_base = 0, .count = 20, .axon_base = 0, .indexed = 1, .src_cores = 1},
             {.src_core = 1, .neuron_base = 0, .count = 20, .axon_base = 0, .indexed = 1, .src_cores = 1,
              .index_base = 20}};
         i.cores[2].input_projection = {0, 1};
         return i;
       }, 2, "input_map", 1, {"\"in_out_2\"", "entry 0", "\"in_out\"", "one projection"}},
      {"indexed entry without a projection", [] { auto i = indexed_image(); i.cores[2].input_projection[0] = isa::no_projection; return i; },
       2, "input_map", 0, {"carries no projection"}},
      {"indexed axon with another weight_exp", [] { auto i = indexed_image(); i.cores[2].axons[0].weight_exp = 2; return i; },
       2, "axons", 0, {"weight_exp 2", "\"in_out\"'s 1"}},
      {"indexed target outside the post population", [] {
         auto i = indexed_image();
         i.populations[1].size = 3;
         i.populations.push_back({"other", 1, isa::neuron_kind::lif});
         i.slices[2].count = 3;
         i.slices.push_back({2, 0, 1, 2, 3});
         return i;
       }, 2, "synapse_memory", 5, {"target 3", "other[0]", "indexed axon 0", "\"in_out\""}},
      {"indexed axon fed by no entry", [] {
         auto i = indexed_image();
         i.cores[2].input_map.clear();
         i.cores[2].input_projection.clear();
         return i;
       }, 2, "axons", 0, {"no input-map entry"}},
  };
  for (const invariant_case& c : cases) {
    SCOPED_TRACE(c.name);
    const isa::chip_image image = c.make();
    try {
      isa::validate_image(image, "test.engram");
      ADD_FAILURE() << "validate_image accepted the image";
    } catch (const image_error& e) {
      EXPECT_EQ(e.kind, problem::invariant);
      EXPECT_EQ(e.core, c.core) << e.what();
      EXPECT_EQ(e.section, c.section) << e.what();
      EXPECT_EQ(e.index, c.index) << e.what();
      for (const std::string& k : c.keywords) {
        EXPECT_TRUE(contains(e.reason, k)) << "\"" << k << "\" missing from: " << e.what();
      }
    }
  }
}

}  // namespace

// An entry may cover a source that never sends (no synapse anywhere): it is
// harmless, and lets one entry cover a population's run of cores.
TEST(chip_image, an_indexed_entry_may_cover_a_neuron_that_does_not_emit) {
  auto image = isa::fixtures::indexed_image();
  image.cores[1].emits[5] = 0;
  EXPECT_NO_THROW(isa::validate_image(image, "test.engram"));
}
