// The chip image's data model: names, the error type, lookups and totals.

#include <engram/isa/chip_image.hpp>

#include <algorithm>
#include <string>
#include <utility>

namespace engram::isa {
namespace {

std::string describe_location(const image_error::where& w, const std::string& reason) {
  std::string out = w.source.empty() ? std::string("chip image") : w.source;
  if (w.core) {
    out += ": core " + std::to_string(*w.core) + " (" + std::to_string(w.x) + "," +
           std::to_string(w.y) + ")";
  }
  if (!w.section.empty()) {
    out += ": " + w.section;
    if (w.index) {
      out += "[" + std::to_string(*w.index) + "]";
    }
  } else if (w.index) {
    out += ": entry " + std::to_string(*w.index);
  }
  if (w.offset) {
    out += (w.section.empty() && !w.index ? ": byte " : " at byte ") + std::to_string(*w.offset);
  }
  return out + ": " + reason;
}

}  // namespace

std::string_view to_string(neuron_kind kind) noexcept {
  switch (kind) {
    case neuron_kind::lif:
      return "lif";
    case neuron_kind::spike_array:
      return "spike_array";
    case neuron_kind::poisson:
      return "poisson";
    case neuron_kind::modulator:
      return "modulator";
  }
  return {};
}

bool is_valid(neuron_kind kind) noexcept { return !to_string(kind).empty(); }

std::size_t core_image::emitting_count() const noexcept {
  return static_cast<std::size_t>(std::count_if(emits.begin(), emits.end(), [](std::uint8_t e) { return e != 0; }));
}

image_error::image_error(problem kind_, where location, std::string reason_)
    : user_error(describe_location(location, reason_)),
      kind(kind_),
      source(std::move(location.source)),
      offset(location.offset),
      section(std::move(location.section)),
      core(location.core),
      x(location.x),
      y(location.y),
      index(location.index),
      reason(std::move(reason_)) {}

std::string_view to_string(image_error::problem problem) noexcept {
  switch (problem) {
    case image_error::problem::not_an_image:
      return "not_an_image";
    case image_error::problem::unsupported_version:
      return "unsupported_version";
    case image_error::problem::truncated:
      return "truncated";
    case image_error::problem::checksum_mismatch:
      return "checksum_mismatch";
    case image_error::problem::bad_length:
      return "bad_length";
    case image_error::problem::trailing_bytes:
      return "trailing_bytes";
    case image_error::problem::bad_value:
      return "bad_value";
    case image_error::problem::invariant:
      return "invariant";
  }
  return {};
}

std::optional<neuron_location> locate_neuron(const chip_image& image, std::uint32_t population,
                                             std::uint32_t index) {
  for (const image_slice& s : image.slices) {
    if (s.population == population && index >= s.first && index - s.first < s.count) {
      return neuron_location{s.core, s.core_neuron + (index - s.first)};
    }
  }
  return std::nullopt;
}

const image_slice* slice_at(const chip_image& image, std::uint32_t core, std::uint32_t neuron) {
  for (const image_slice& s : image.slices) {
    if (s.core == core && neuron >= s.core_neuron && neuron - s.core_neuron < s.count) {
      return &s;
    }
  }
  return nullptr;
}

std::string neuron_name(const chip_image& image, std::uint32_t core, std::uint32_t neuron) {
  const image_slice* s = slice_at(image, core, neuron);
  if (s == nullptr || s->population >= image.populations.size()) {
    return "core " + std::to_string(core) + " neuron " + std::to_string(neuron);
  }
  return image.populations[s->population].name + "[" +
         std::to_string(s->first + (neuron - s->core_neuron)) + "]";
}

std::string neuron_range_name(const chip_image& image, std::uint32_t core, std::uint32_t first,
                              std::uint32_t count) {
  std::string out;
  std::uint64_t n = first;
  const std::uint64_t end = std::uint64_t{first} + count;
  while (n < end) {
    if (!out.empty()) {
      out += ", ";
    }
    const auto neuron = static_cast<std::uint32_t>(n);
    const image_slice* s = slice_at(image, core, neuron);
    if (s == nullptr || s->population >= image.populations.size()) {
      // Neurons no slice holds (only in an image that fails validation).
      out += "core " + std::to_string(core) + " neuron " + std::to_string(neuron);
      ++n;
      continue;
    }
    std::uint64_t run_end = std::min<std::uint64_t>(end, std::uint64_t{s->core_neuron} + s->count);
    const std::uint64_t lo = s->first + (n - s->core_neuron);
    std::uint64_t hi = lo + (run_end - n) - 1;
    // Slices that continue the same population on the next neurons read as one run.
    while (run_end < end) {
      const image_slice* next = slice_at(image, core, static_cast<std::uint32_t>(run_end));
      if (next == nullptr || next->population != s->population || next->first != hi + 1 ||
          next->core_neuron != run_end) {
        break;
      }
      const std::uint64_t next_end = std::min<std::uint64_t>(end, std::uint64_t{next->core_neuron} + next->count);
      hi += next_end - run_end;
      run_end = next_end;
    }
    out += image.populations[s->population].name + "[" + std::to_string(lo);
    out += hi == lo ? "]" : ".." + std::to_string(hi) + "]";
    n = run_end;
  }
  return out;
}

std::optional<std::uint32_t> find_population(const chip_image& image, std::string_view name) {
  for (std::size_t i = 0; i < image.populations.size(); ++i) {
    if (image.populations[i].name == name) {
      return static_cast<std::uint32_t>(i);
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> find_projection(const chip_image& image, std::string_view name) {
  for (std::size_t i = 0; i < image.projections.size(); ++i) {
    if (image.projections[i].name == name) {
      return static_cast<std::uint32_t>(i);
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> find_core(const chip_image& image, std::uint32_t x, std::uint32_t y) {
  for (std::size_t i = 0; i < image.cores.size(); ++i) {
    if (image.cores[i].x == x && image.cores[i].y == y) {
      return static_cast<std::uint32_t>(i);
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> find_router(const chip_image& image, std::uint32_t x, std::uint32_t y) {
  for (std::size_t i = 0; i < image.routers.size(); ++i) {
    if (image.routers[i].x == x && image.routers[i].y == y) {
      return static_cast<std::uint32_t>(i);
    }
  }
  return std::nullopt;
}

std::vector<row_synapse> decode_row(const core_image& core, const axon_entry& axon) {
  std::vector<row_synapse> out;
  if (axon.indexed != 0) {
    return out;
  }
  const std::uint64_t end =
      std::min<std::uint64_t>(std::uint64_t{axon.row_base} + axon.row_len, core.synapse_memory.size());
  for (std::uint64_t i = axon.row_base; i < end;) {
    row_synapse s;
    s.address = static_cast<std::uint32_t>(i);
    s.word = unpack_synapse_word({core.synapse_memory[i]});
    ++i;
    if (s.word.plastic != 0 && i < end) {
      s.plastic = unpack_plastic_word({core.synapse_memory[i]});
      ++i;
    }
    out.push_back(s);
  }
  return out;
}

std::vector<indexed_synapse> decode_indexed(const core_image& core, const axon_entry& axon) {
  std::vector<indexed_synapse> out;
  if (axon.indexed == 0) {
    return out;
  }
  const std::uint64_t memory = core.synapse_memory.size();
  const std::uint64_t data = std::uint64_t{axon.row_base} + axon.row_len;
  std::uint64_t begin = 0;  // the block's first word, counted from data
  for (std::uint32_t b = 0; b < axon.row_len && std::uint64_t{axon.row_base} + b < memory; ++b) {
    const std::uint64_t end = unpack_index_word({core.synapse_memory[axon.row_base + b]}).run_end;
    for (std::uint64_t i = data + begin; i < data + end && i < memory; ++i) {
      indexed_synapse s;
      s.address = static_cast<std::uint32_t>(i);
      s.word = unpack_synapse_word({core.synapse_memory[i]});
      s.block = b;
      s.source = b * static_cast<std::uint32_t>(index_block) + s.word.source;
      out.push_back(s);
    }
    begin = std::max(begin, end);
  }
  return out;
}

std::uint64_t axon_words(const core_image& core, const axon_entry& axon) {
  if (axon.indexed == 0 || axon.row_len == 0) {
    return axon.row_len;
  }
  const std::uint64_t last = std::uint64_t{axon.row_base} + axon.row_len - 1;
  const std::uint64_t blocks =
      last < core.synapse_memory.size() ? unpack_index_word({core.synapse_memory[last]}).run_end : 0;
  return std::uint64_t{axon.row_len} + blocks;
}

image_totals count_totals(const chip_image& image) {
  image_totals t;
  t.routers_without_core = image.routers.size();
  for (const image_router& r : image.routers) {
    t.route_entries += r.entries.size();
  }
  for (const core_image& c : image.cores) {
    t.neurons += c.neuron_count();
    t.emitting_neurons += c.emitting_count();
    t.synapse_words += c.synapse_memory.size();
    t.input_axons += c.axons.size();
    t.input_map_entries += c.input_map.size();
    t.route_entries += c.routes.size();
    t.learning_rules += c.rules.size();
    t.microcode_words += c.microcode.size();
    for (const axon_entry& a : c.axons) {
      if (a.indexed != 0) {
        const std::uint64_t synapses = decode_indexed(c, a).size();
        ++t.indexed_axons;
        t.index_words += a.row_len;
        t.indexed_synapses += synapses;
        t.synapses += synapses;
        continue;
      }
      for (const row_synapse& s : decode_row(c, a)) {
        ++t.synapses;
        t.plastic_synapses += s.plastic ? 1 : 0;
      }
    }
  }
  return t;
}

}  // namespace engram::isa
