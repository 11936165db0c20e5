// validate_image: every invariant a chip image must satisfy before a chip
// (the emulator) may run it: docs/chip-image.md, "Invariants", which lists
// numerics §12 and the consistency of the tables with each other. Checks run
// in an order that bounds the work by the chip's limits (a table is checked
// against its limit before its entries are walked), so a hostile image
// cannot make validation slow.

#include <engram/isa/chip_image.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "image_validate.hpp"

namespace engram::isa::detail {

void validator::run() {
  check_network();
  check_chip();
  check_populations();
  check_projections();
  check_core_positions();
  check_routers();
  for (std::uint32_t c = 0; c < image_.cores.size(); ++c) {
    check_core(c);
  }
  check_slices();
  for (std::uint32_t c = 0; c < image_.cores.size(); ++c) {
    check_input_map(c);
    check_source_counters(c);
  }
}

// --- Errors ---------------------------------------------------------------------

void validator::fail(std::string section, std::optional<std::uint64_t> index, std::string reason) const {
  image_error::where w;
  w.source = std::string(source_);
  w.section = std::move(section);
  w.index = index;
  throw image_error(problem::invariant, std::move(w), std::move(reason));
}

void validator::fail_core(std::uint32_t core, std::string table, std::optional<std::uint64_t> index,
                          std::string reason) const {
  image_error::where w;
  w.source = std::string(source_);
  w.core = core;
  w.x = image_.cores[core].x;
  w.y = image_.cores[core].y;
  w.section = std::move(table);
  w.index = index;
  throw image_error(problem::invariant, std::move(w), std::move(reason));
}

void validator::check_name(const std::string& section, std::optional<std::uint64_t> index,
                           const std::string& name) const {
  if (name.empty()) {
    fail(section, index, "the name is empty");
  }
  if (name.size() > max_name_bytes) {
    fail(section, index,
         "the name is " + num(std::uint64_t{name.size()}) + " bytes long, more than " +
             num(std::uint64_t{max_name_bytes}));
  }
  for (char ch : name) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) {
      fail(section, index, "the name contains the control character " + hex(b, 2));
    }
  }
}

// --- Network and chip -------------------------------------------------------------

void validator::check_network() const {
  check_name("network", std::nullopt, image_.network_name);
  if (!std::isfinite(image_.dt_ms) || image_.dt_ms <= 0) {
    fail("network", std::nullopt, "dt_ms " + std::to_string(image_.dt_ms) + " is not a positive number");
  }
}

void validator::check_chip() const {
  const image_chip& c = image_.chip;
  check_name("chip", std::nullopt, c.name);
  auto range = [&](std::string_view field, std::uint32_t value, std::uint32_t lo, std::uint32_t hi,
                   std::string_view why) {
    if (value < lo || value > hi) {
      fail("chip", std::nullopt,
           std::string(field) + " " + num(value) + " is outside " + num(lo) + ".." + num(hi) + " (" +
               std::string(why) + ")");
    }
  };
  constexpr std::uint32_t any = std::numeric_limits<std::uint32_t>::max();
  range("mesh_width", c.mesh_width, 1, any, "at least one core");
  range("mesh_height", c.mesh_height, 1, any, "at least one core");
  range("chips_width", c.chips_width, 1, any, "at least one chip");
  range("chips_height", c.chips_height, 1, any, "at least one chip");
  range("neurons", c.neurons, 1, isa_max_neurons, "the 12-bit SynapseWord.target");
  range("synapse_words", c.synapse_words, 0, isa_max_synapse_words, "the 20-bit AxonEntry.row_base");
  range("input_axons", c.input_axons, 0, isa_max_input_axons, "the 12-bit InputMapEntry.axon_base");
  range("trace_profiles", c.trace_profiles, 0, max_trace_profiles, "MaxTraceProfiles");
  range("learning_rules", c.learning_rules, 0, max_learning_rules, "MaxLearningRules");
  range("microcode_words", c.microcode_words, 0, microcode_depth, "MicrocodeDepth");
  range("max_delay", c.max_delay, min_delay, max_delay, "MinDelay..MaxDelay");
  for (const image_chip_figure& f : image_chip_figures) {
    const double value = c.*f.value;
    if (!std::isfinite(value) || value < 0) {
      fail("chip", std::nullopt, std::string(f.name) + " " + std::to_string(value) + " is not a number >= 0");
    }
  }
  if (c.clock_mhz <= 0) {
    fail("chip", std::nullopt, "clock_mhz is 0");
  }
  if ((c.chips_width > 1 || c.chips_height > 1) && !c.has_inter_chip) {
    fail("chip", std::nullopt,
         "a grid of " + num(c.chips_width) + " x " + num(c.chips_height) + " chips needs inter-chip link figures");
  }
}

// --- Names ----------------------------------------------------------------------

void validator::check_populations() const {
  std::map<std::string, std::size_t> seen;
  std::size_t modulators = 0;
  for (std::size_t i = 0; i < image_.populations.size(); ++i) {
    const image_population& p = image_.populations[i];
    check_name("populations", i, p.name);
    if (const auto [it, fresh] = seen.emplace(p.name, i); !fresh) {
      fail("populations", i, "the name \"" + p.name + "\" is also population " + num(std::uint64_t{it->second}));
    }
    if (!is_valid(p.kind)) {
      fail("populations", i, "kind " + num(std::uint32_t{static_cast<std::uint8_t>(p.kind)}) + " is no neuron kind");
    }
    if (p.size == 0) {
      fail("populations", i, "population \"" + p.name + "\" has size 0");
    }
    if (p.kind == neuron_kind::modulator) {
      if (p.size != 1) {
        fail("populations", i, "modulator \"" + p.name + "\" has size " + num(p.size) + ", a modulator has 1 neuron");
      }
      if (++modulators > static_cast<std::size_t>(modulator_channels)) {
        fail("populations", i, "more than " + num(std::int64_t{modulator_channels}) + " modulators (ModulatorChannels)");
      }
    }
  }
}

void validator::check_projections() const {
  std::map<std::string, std::size_t> seen;
  const std::size_t pops = image_.populations.size();
  for (std::size_t i = 0; i < image_.projections.size(); ++i) {
    const image_projection& p = image_.projections[i];
    check_name("projections", i, p.name);
    if (const auto [it, fresh] = seen.emplace(p.name, i); !fresh) {
      fail("projections", i, "the name \"" + p.name + "\" is also projection " + num(std::uint64_t{it->second}));
    }
    if (p.pre >= pops || p.post >= pops) {
      fail("projections", i,
           "projection \"" + p.name + "\" connects population " + num(p.pre) + " to " + num(p.post) + ", there are " +
               num(std::uint64_t{pops}));
    }
    if (image_.populations[p.post].kind != neuron_kind::lif) {
      fail("projections", i,
           "projection \"" + p.name + "\" targets \"" + image_.populations[p.post].name + "\", which is " +
               std::string(to_string(image_.populations[p.post].kind)) + ", not lif");
    }
    if (image_.populations[p.pre].kind == neuron_kind::modulator) {
      fail("projections", i,
           "projection \"" + p.name + "\" starts at the modulator \"" + image_.populations[p.pre].name +
               "\" (modulators reach synapses through rules)");
    }
    if (p.weight_exp < weight_exp_min || p.weight_exp > weight_exp_max) {
      fail("projections", i,
           "weight_exp " + num(p.weight_exp) + " is outside " + num(std::int32_t{weight_exp_min}) + ".." +
               num(std::int32_t{weight_exp_max}));
    }
    if (!std::isfinite(p.weight_lsb_na) || p.weight_lsb_na <= 0) {
      fail("projections", i, "weight_lsb_na " + std::to_string(p.weight_lsb_na) + " is not a positive number");
    }
  }
}

void validator::check_core_positions() {
  const std::uint64_t w = image_.chip.grid_width();
  const std::uint64_t h = image_.chip.grid_height();
  const bool grid_small = w <= max_cores && h <= max_cores;
  if (image_.cores.size() > max_cores) {
    fail("cores", std::nullopt,
         num(std::uint64_t{image_.cores.size()}) + " cores, more than the " + num(max_cores) +
             " a 16-bit AerPacket.src_core names");
  }
  if (grid_small && image_.cores.size() > w * h) {
    fail("cores", std::nullopt,
         num(std::uint64_t{image_.cores.size()}) + " cores on a grid of " + num(w * h) + " (" + num(w) + " x " +
             num(h) + ")");
  }
  auto& seen = core_at_;
  for (std::uint32_t i = 0; i < image_.cores.size(); ++i) {
    const core_image& c = image_.cores[i];
    if (c.x >= w || c.y >= h) {
      fail_core(i, "position", std::nullopt,
                "(" + num(std::uint32_t{c.x}) + "," + num(std::uint32_t{c.y}) + ") is outside the " + num(w) +
                    " x " + num(h) + " grid of cores (mesh x chips)");
    }
    if (const auto [it, fresh] = seen.emplace(std::make_pair(c.x, c.y), i); !fresh) {
      fail_core(i, "position", std::nullopt, "core " + num(it->second) + " sits at the same position");
    }
  }
}

// --- Routers ----------------------------------------------------------------------

void validator::check_routers() const {
  const std::uint64_t w = image_.chip.grid_width();
  const std::uint64_t h = image_.chip.grid_height();
  for (std::size_t i = 0; i < image_.routers.size(); ++i) {
    const image_router& router = image_.routers[i];
    const std::string at = "router (" + num(std::uint32_t{router.x}) + "," + num(std::uint32_t{router.y}) + ")";
    if (router.x >= w || router.y >= h) {
      fail("routers", i, at + " is outside the " + num(w) + " x " + num(h) + " grid of cores (mesh x chips)");
    }
    if (i > 0) {
      const image_router& prev = image_.routers[i - 1];
      if (std::pair(prev.y, prev.x) >= std::pair(router.y, router.x)) {
        fail("routers", i,
             at + " comes after (" + num(std::uint32_t{prev.x}) + "," + num(std::uint32_t{prev.y}) +
                 "): routers are sorted by (y, x), one per position");
      }
    }
    if (const auto core = core_at_.find({router.x, router.y}); core != core_at_.end()) {
      fail("routers", i, at + " sits on core " + num(core->second) + ", whose router is the core's routes");
    }
    if (router.entries.size() > image_.chip.router_entries) {
      fail("routers", i,
           at + " needs " + num(std::uint64_t{router.entries.size()}) + " router entries, the chip has " +
               num(image_.chip.router_entries) + " per router (router_entries)");
    }
    for (std::size_t r = 0; r < router.entries.size(); ++r) {
      try {
        (void)pack(router.entries[r]);
      } catch (const field_out_of_range& e) {
        fail("routers", i, at + " entry " + num(std::uint64_t{r}) + ": " + e.what());
      }
    }
    check_route_table(router.entries, router.x, router.y, [&](std::size_t r, std::string reason) {
      fail("routers", i, at + " entry " + num(std::uint64_t{r}) + ": " + reason);
    });
  }
}

// --- Slices and the tables that refer across cores ------------------------------

void validator::check_slices() {
  const auto& slices = image_.slices;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const image_slice& s = slices[i];
    if (s.population >= image_.populations.size()) {
      fail("slices", i,
           "population " + num(s.population) + ", there are " + num(std::uint64_t{image_.populations.size()}));
    }
    const image_population& p = image_.populations[s.population];
    if (s.count == 0) {
      fail("slices", i, "an empty slice of \"" + p.name + "\"");
    }
    if (std::uint64_t{s.first} + s.count > p.size) {
      fail("slices", i,
           "neurons " + num(s.first) + ".." + num(std::uint64_t{s.first} + s.count - 1) + " of \"" + p.name +
               "\", which has " + num(p.size));
    }
    if (s.core >= image_.cores.size()) {
      fail("slices", i, "core " + num(s.core) + ", the image has " + num(std::uint64_t{image_.cores.size()}));
    }
    if (std::uint64_t{s.core_neuron} + s.count > image_.cores[s.core].neuron_count()) {
      fail("slices", i,
           "core neurons " + num(s.core_neuron) + ".." + num(std::uint64_t{s.core_neuron} + s.count - 1) +
               ", core " + num(s.core) + " has " + num(std::uint64_t{image_.cores[s.core].neuron_count()}));
    }
  }
  // Every neuron of every population in exactly one slice.
  std::vector<std::size_t> order(slices.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(slices[a].population, slices[a].first) < std::pair(slices[b].population, slices[b].first);
  });
  std::size_t k = 0;
  for (std::uint32_t pi = 0; pi < image_.populations.size(); ++pi) {
    const image_population& p = image_.populations[pi];
    std::uint64_t next = 0;
    for (; k < order.size() && slices[order[k]].population == pi; ++k) {
      const image_slice& s = slices[order[k]];
      if (s.first < next) {
        fail("slices", order[k], "\"" + p.name + "\" neuron " + num(s.first) + " is in two slices");
      }
      if (s.first > next) {
        fail("slices", order[k],
             "\"" + p.name + "\" neurons " + num(next) + ".." + num(std::uint64_t{s.first} - 1) + " are in no slice");
      }
      next = std::uint64_t{s.first} + s.count;
    }
    if (next != p.size) {
      fail("populations", pi,
           "\"" + p.name + "\" neurons " + num(next) + ".." + num(std::uint64_t{p.size} - 1) + " are in no slice");
    }
  }
  // Every neuron of every core in exactly one slice.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::pair(slices[a].core, slices[a].core_neuron) < std::pair(slices[b].core, slices[b].core_neuron);
  });
  k = 0;
  population_of_.assign(image_.cores.size(), {});
  index_of_.assign(image_.cores.size(), {});
  slice_end_.assign(image_.cores.size(), {});
  for (std::uint32_t ci = 0; ci < image_.cores.size(); ++ci) {
    const core_image& c = image_.cores[ci];
    population_of_[ci].resize(c.neuron_count());
    index_of_[ci].resize(c.neuron_count());
    slice_end_[ci].resize(c.neuron_count());
    std::uint64_t next = 0;
    for (; k < order.size() && slices[order[k]].core == ci; ++k) {
      const image_slice& s = slices[order[k]];
      if (s.core_neuron < next) {
        fail_core(ci, "slices", order[k], "neuron " + num(s.core_neuron) + " of the core is in two slices");
      }
      if (s.core_neuron > next) {
        fail_core(ci, "slices", order[k],
                  "neurons " + num(next) + ".." + num(std::uint64_t{s.core_neuron} - 1) +
                      " of the core are in no slice");
      }
      const image_population& p = image_.populations[s.population];
      for (std::uint32_t j = 0; j < s.count; ++j) {
        const std::uint32_t n = s.core_neuron + j;
        if (c.kinds[n] != p.kind) {
          fail_core(ci, "kinds", n,
                    "neuron " + num(n) + " is " + std::string(to_string(c.kinds[n])) + ", but its population \"" +
                        p.name + "\" is " + std::string(to_string(p.kind)));
        }
        population_of_[ci][n] = s.population;
        index_of_[ci][n] = s.first + j;
        slice_end_[ci][n] = s.core_neuron + s.count;
      }
      next = std::uint64_t{s.core_neuron} + s.count;
    }
    if (next != c.neuron_count()) {
      fail_core(ci, "slices", std::nullopt,
                "neurons " + num(next) + ".." + num(std::uint64_t{c.neuron_count()} - 1) +
                    " of the core are in no slice");
    }
  }
}

std::string validator::name_of(std::uint32_t core, std::uint32_t neuron) const {
  return image_.populations[population_of_[core][neuron]].name + "[" + num(index_of_[core][neuron]) + "]";
}

void validator::check_input_map(std::uint32_t ci) const {
  const core_image& c = image_.cores[ci];
  constexpr std::uint32_t unfed = ~0u;
  // Per axon: the entry that feeds it (an indexed axon: its first entry).
  std::vector<std::uint32_t> fed(c.axons.size(), unfed);
  // Per indexed axon: the source indices each entry maps to it.
  std::vector<std::vector<index_span>> seen(c.axons.size());
  for (std::size_t e = 0; e < c.input_map.size(); ++e) {
    const input_map_entry& m = c.input_map[e];
    if (m.count < 1) {
      fail_core(ci, "input_map", e, "count is 0");
    }
    if (e > 0) {
      const input_map_entry& p = c.input_map[e - 1];
      if (std::pair(m.src_core, m.neuron_base) < std::pair(p.src_core, p.neuron_base)) {
        fail_core(ci, "input_map", e,
                  "(src_core " + num(m.src_core) + ", neuron_base " + num(m.neuron_base) +
                      ") comes after (" + num(p.src_core) + ", " + num(p.neuron_base) +
                      "): the map is sorted by src_core, then neuron_base");
      }
    }
    const std::uint32_t proj = c.input_projection[e];
    const bool modulator = proj == no_projection;
    if (!modulator && proj >= image_.projections.size()) {
      fail_core(ci, "input_projection", e,
                "projection " + num(proj) + ", the image has " + num(std::uint64_t{image_.projections.size()}));
    }
    if (m.indexed == 1) {
      check_indexed_entry(ci, e, fed, seen);
      continue;
    }
    if (m.src_cores != 1) {
      fail_core(ci, "input_map", e,
                "src_cores " + num(m.src_cores) + " in an ordinary entry (indexed 0 maps one core: src_cores is 1)");
    }
    if (m.index_base != 0) {
      fail_core(ci, "input_map", e,
                "index_base " + num(m.index_base) + " in an ordinary entry (indexed 0: index_base is 0)");
    }
    if (std::uint64_t{m.axon_base} + m.count > c.axons.size()) {
      fail_core(ci, "input_map", e,
                "axons " + num(m.axon_base) + ".." + num(std::uint64_t{m.axon_base} + m.count - 1) +
                    ", the core has " + num(std::uint64_t{c.axons.size()}));
    }
    // Each ordinary axon is fed by one source (numerics §12); this also
    // bounds the work below by the number of axons.
    for (std::uint32_t j = 0; j < m.count; ++j) {
      const std::uint32_t axon = m.axon_base + j;
      if (c.axons[axon].indexed == 1) {
        fail_core(ci, "input_map", e,
                  "an ordinary entry (indexed 0) maps core " + num(m.src_core) + " neuron " +
                      num(m.neuron_base + j) + " to axon " + num(axon) + ", which is indexed");
      }
      if (fed[axon] != unfed) {
        fail_core(ci, "input_map", e, "axon " + num(axon) + " is fed by two input-map entries");
      }
      fed[axon] = static_cast<std::uint32_t>(e);
    }
    if (m.src_core >= image_.cores.size()) {
      fail_core(ci, "input_map", e,
                "src_core " + num(m.src_core) + ", the image has " + num(std::uint64_t{image_.cores.size()}) +
                    " cores");
    }
    const core_image& src = image_.cores[m.src_core];
    if (std::uint64_t{m.neuron_base} + m.count > src.neuron_count()) {
      fail_core(ci, "input_map", e,
                "neurons " + num(m.neuron_base) + ".." + num(std::uint64_t{m.neuron_base} + m.count - 1) +
                    " of core " + num(m.src_core) + ", which has " + num(std::uint64_t{src.neuron_count()}));
    }
    for (std::uint32_t j = 0; j < m.count; ++j) {
      const std::uint32_t n = m.neuron_base + j;
      const std::uint32_t axon = m.axon_base + j;
      if (src.emits[n] != 1) {
        fail_core(ci, "input_map", e,
                  "maps core " + num(m.src_core) + " neuron " + num(n) + " (" + name_of(m.src_core, n) +
                      "), which does not emit (emits is 0)");
      }
      const axon_entry& ax = c.axons[axon];
      if (modulator) {
        if (src.kinds[n] != neuron_kind::modulator || ax.modulator != 1) {
          fail_core(ci, "input_map", e,
                    "carries no projection, so it must map a modulator to a modulator axon: core " +
                        num(m.src_core) + " neuron " + num(n) + " is " + std::string(to_string(src.kinds[n])) +
                        ", axon " + num(axon) + " has modulator " + num(ax.modulator));
        }
        continue;
      }
      const image_projection& p = image_.projections[proj];
      if (population_of_[m.src_core][n] != p.pre) {
        fail_core(ci, "input_map", e,
                  "maps " + name_of(m.src_core, n) + " (core " + num(m.src_core) + " neuron " + num(n) +
                      ") for projection \"" + p.name + "\", whose pre population is \"" +
                      image_.populations[p.pre].name + "\"");
      }
      if (ax.modulator != 0) {
        fail_core(ci, "axons", axon, "a modulator axon is fed by projection \"" + p.name + "\"");
      }
      if (ax.weight_exp != p.weight_exp) {
        fail_core(ci, "axons", axon,
                  "weight_exp " + num(ax.weight_exp) + " differs from projection \"" + p.name + "\"'s " +
                      num(p.weight_exp));
      }
      for (const row_synapse& s : decode_row(c, ax)) {
        if (population_of_[ci][s.word.target] != p.post) {
          fail_core(ci, "synapse_memory", s.address,
                    "target " + num(s.word.target) + " is " + name_of(ci, s.word.target) +
                        ", but the row belongs to projection \"" + p.name + "\" onto \"" +
                        image_.populations[p.post].name + "\"");
        }
      }
    }
  }
  for (std::size_t a = 0; a < fed.size(); ++a) {
    if (fed[a] == unfed) {
      fail_core(ci, "axons", a, "no input-map entry feeds the axon");
    }
  }
  check_indexed_overlap(ci, seen);
}

// An indexed entry (numerics §5, §12): it names an indexed axon, which all
// its entries feed for one projection; the axon's index has ceil(N/16)
// words for the pre population's N neurons; every (core, neuron) the entry
// covers is an emitting neuron of that population whose index there is j,
// and no j reaches the axon twice. The checks run in an order that bounds
// the walk by N, and so by the axon's index within synapse memory.
void validator::check_indexed_entry(std::uint32_t ci, std::size_t e, std::vector<std::uint32_t>& fed,
                                    std::vector<std::vector<index_span>>& seen) const {
  constexpr std::uint32_t unfed = ~0u;
  const core_image& c = image_.cores[ci];
  const input_map_entry& m = c.input_map[e];
  const std::uint32_t proj = c.input_projection[e];
  if (proj == no_projection) {
    fail_core(ci, "input_map", e, "an indexed entry carries no projection (modulators feed ordinary axons)");
  }
  if (m.axon_base >= c.axons.size()) {
    fail_core(ci, "input_map", e,
              "indexed axon " + num(m.axon_base) + ", the core has " + num(std::uint64_t{c.axons.size()}));
  }
  const std::uint32_t a = m.axon_base;
  const axon_entry& ax = c.axons[a];
  if (ax.indexed != 1) {
    fail_core(ci, "input_map", e, "an indexed entry names axon " + num(a) + ", which is not indexed (indexed 0)");
  }
  const image_projection& p = image_.projections[proj];
  if (fed[a] != unfed) {
    const std::uint32_t other = c.input_projection[fed[a]];
    if (other != proj) {
      fail_core(ci, "input_map", e,
                "feeds indexed axon " + num(a) + " for projection \"" + p.name + "\", but entry " + num(fed[a]) +
                    " feeds it for projection " +
                    (other < image_.projections.size() ? "\"" + image_.projections[other].name + "\""
                                                       : num(other)) +
                    " (the entries of an indexed axon belong to one projection)");
    }
  }
  const std::uint64_t n = image_.populations[p.pre].size;
  const std::uint64_t index_words = (n + index_block - 1) / index_block;
  if (fed[a] == unfed) {
    fed[a] = static_cast<std::uint32_t>(e);
    if (ax.row_len != index_words) {
      fail_core(ci, "axons", a,
                "row_len " + num(ax.row_len) + " of indexed axon, but projection \"" + p.name +
                    "\"'s pre population \"" + image_.populations[p.pre].name + "\" has " + num(n) +
                    " neurons: ceil(" + num(n) + "/16) = " + num(index_words) + " IndexWords");
    }
    if (ax.weight_exp != p.weight_exp) {
      fail_core(ci, "axons", a,
                "weight_exp " + num(ax.weight_exp) + " differs from projection \"" + p.name + "\"'s " +
                    num(p.weight_exp));
    }
    for (const indexed_synapse& s : decode_indexed(c, ax)) {
      if (s.source >= n) {
        fail_core(ci, "synapse_memory", s.address,
                  "source " + num(s.word.source) + " of block " + num(s.block) + " is index " + num(s.source) +
                      ", but projection \"" + p.name + "\"'s pre population has " + num(n) + " neurons");
      }
      if (population_of_[ci][s.word.target] != p.post) {
        fail_core(ci, "synapse_memory", s.address,
                  "target " + num(s.word.target) + " is " + name_of(ci, s.word.target) +
                      ", but indexed axon " + num(a) + " belongs to projection \"" + p.name + "\" onto \"" +
                      image_.populations[p.post].name + "\"");
      }
    }
  }
  if (m.src_cores < 1) {
    fail_core(ci, "input_map", e, "src_cores is 0");
  }
  const std::uint64_t covered = std::uint64_t{m.src_cores} * m.count;
  if (m.index_base + covered > n) {
    fail_core(ci, "input_map", e,
              "source indices " + num(m.index_base) + ".." + num(m.index_base + covered - 1) + " (" +
                  num(m.src_cores) + " cores x " + num(m.count) + " neurons from index_base), but projection \"" +
                  p.name + "\"'s pre population \"" + image_.populations[p.pre].name + "\" has " + num(n));
  }
  if (std::uint64_t{m.src_core} + m.src_cores > image_.cores.size()) {
    fail_core(ci, "input_map", e,
              "src_cores " + num(m.src_core) + ".." + num(std::uint64_t{m.src_core} + m.src_cores - 1) +
                  ", the image has " + num(std::uint64_t{image_.cores.size()}) + " cores");
  }
  // Each covered core holds the pre population's neurons j .. j + count - 1
  // at neuron_base, in one slice (non-emitting ones never send, so an entry
  // may cover them); checked per core, not per neuron.
  for (std::uint32_t k = 0; k < m.src_cores; ++k) {
    const std::uint32_t core = m.src_core + k;
    const core_image& src = image_.cores[core];
    if (std::uint64_t{m.neuron_base} + m.count > src.neuron_count()) {
      fail_core(ci, "input_map", e,
                "neurons " + num(m.neuron_base) + ".." + num(std::uint64_t{m.neuron_base} + m.count - 1) +
                    " of core " + num(core) + ", which has " + num(std::uint64_t{src.neuron_count()}));
    }
    const std::uint32_t neuron = m.neuron_base;
    const std::uint64_t j = m.index_base + std::uint64_t{k} * m.count;
    if (population_of_[core][neuron] != p.pre || index_of_[core][neuron] != j ||
        slice_end_[core][neuron] < std::uint64_t{neuron} + m.count) {
      fail_core(ci, "input_map", e,
                "maps core " + num(core) + " neurons " + num(neuron) + ".." +
                    num(std::uint64_t{neuron} + m.count - 1) + " (from " + name_of(core, neuron) +
                    ") as source indices " + num(j) + ".." + num(j + m.count - 1) + " of projection \"" + p.name +
                    "\"'s pre population \"" + image_.populations[p.pre].name +
                    "\", which one slice there must hold in order");
    }
    seen[a].emplace_back(j, j + m.count, static_cast<std::uint32_t>(e));
  }
}

// No source index reaches an indexed axon through two entries.
void validator::check_indexed_overlap(std::uint32_t ci, std::vector<std::vector<index_span>>& seen) const {
  for (std::size_t a = 0; a < seen.size(); ++a) {
    auto& spans = seen[a];
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) {
      const auto& [begin, end, entry] = spans[i];
      if (begin < std::get<1>(spans[i - 1])) {
        fail_core(ci, "input_map", entry,
                  "maps source index " + num(begin) + " to indexed axon " + num(std::uint64_t{a}) +
                      ", which entry " + num(std::get<2>(spans[i - 1])) + " maps it to already");
      }
    }
  }
}

// A Poisson source's Philox counter names its population and index.
void validator::check_source_counters(std::uint32_t ci) const {
  const core_image& c = image_.cores[ci];
  for (std::uint32_t n = 0; n < c.neuron_count(); ++n) {
    if (c.kinds[n] != neuron_kind::poisson) {
      continue;
    }
    const spike_source& s = c.sources[n];
    if (s.population != population_of_[ci][n] || s.index != index_of_[ci][n]) {
      fail_core(ci, "sources", n,
                "the Poisson counter names population " + num(s.population) + " neuron " + num(s.index) +
                    ", but the neuron is " + name_of(ci, n) + " (population " + num(population_of_[ci][n]) +
                    " neuron " + num(index_of_[ci][n]) + ")");
    }
  }
}

}  // namespace engram::isa::detail

namespace engram::isa {

void validate_image(const chip_image& image, std::string_view source_name) {
  detail::validator(image, source_name).run();
}

}  // namespace engram::isa
