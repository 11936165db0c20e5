// print_image and the disassemblers behind `engram inspect`.

#include <engram/isa/image_print.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <engram/common/text.hpp>

namespace engram::isa {
namespace {

using engram::with_commas;

std::string num(std::uint64_t v) { return std::to_string(v); }

std::string hex(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string range(std::uint64_t first, std::uint64_t count) {
  return count == 1 ? num(first) : num(first) + ".." + num(first + count - 1);
}

std::string plural(std::uint64_t n, std::string_view one, std::string_view many) {
  return with_commas(n) + " " + std::string(n == 1 ? one : many);
}

// Columns padded to their widest cell: 'l' left-aligned, 'r' right-aligned;
// the last column is never padded (no trailing blanks).
class table {
 public:
  table(std::vector<std::string> header, std::string align) : align_(std::move(align)) {
    rows_.push_back(std::move(header));
  }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  void print(std::ostream& out, std::string_view indent) const {
    std::vector<std::size_t> width(align_.size(), 0);
    for (const auto& row : rows_) {
      for (std::size_t i = 0; i < row.size(); ++i) {
        width[i] = std::max(width[i], row[i].size());
      }
    }
    for (const auto& row : rows_) {
      std::string line(indent);
      for (std::size_t i = 0; i < row.size(); ++i) {
        const std::string pad(width[i] - row[i].size(), ' ');
        const bool last = i + 1 == row.size();
        line += align_[i] == 'r' ? pad + row[i] : (last ? row[i] : row[i] + pad);
        if (!last) {
          line += "  ";
        }
      }
      out << line << '\n';
    }
  }

 private:
  std::string align_;
  std::vector<std::vector<std::string>> rows_;
};

std::string core_label(const chip_image& image, std::uint32_t core) {
  const core_image& c = image.cores[core];
  return "core " + num(core) + " (" + num(c.x) + "," + num(c.y) + ")";
}

std::string factor(learn_operand op, std::int32_t k) {
  if (op == learn_operand::c) {
    return k < 0 ? "(" + std::to_string(k) + ")" : std::to_string(k);
  }
  std::string name(to_string(op));
  if (name.empty()) {
    name = "op" + std::to_string(static_cast<unsigned>(op));
  }
  if (k == 0) {
    return name;
  }
  return "(" + name + (k > 0 ? " + " : " - ") + std::to_string(k > 0 ? k : -k) + ")";
}

std::string slices_of_core(const chip_image& image, std::uint32_t core) {
  const std::size_t n = image.cores[core].neuron_count();
  return n == 0 ? std::string("-") : neuron_range_name(image, core, 0, static_cast<std::uint32_t>(n));
}

std::string slices_of_population(const chip_image& image, std::uint32_t population) {
  std::vector<const image_slice*> slices;
  for (const image_slice& s : image.slices) {
    if (s.population == population) {
      slices.push_back(&s);
    }
  }
  std::sort(slices.begin(), slices.end(), [](const image_slice* a, const image_slice* b) { return a->first < b->first; });
  // Runs of slices that continue each other on one core read as one.
  std::string out;
  for (std::size_t i = 0; i < slices.size();) {
    const image_slice* s = slices[i];
    std::uint64_t count = s->count;
    std::size_t j = i + 1;
    while (j < slices.size() && slices[j]->core == s->core && slices[j]->first == s->first + count &&
           slices[j]->core_neuron == s->core_neuron + count) {
      count += slices[j]->count;
      ++j;
    }
    out += (out.empty() ? "" : ", ") + std::string("[") + range(s->first, count) + "] on core " + num(s->core);
    i = j;
  }
  return out;
}

// --- The summary ---------------------------------------------------------------

void print_summary(std::ostream& out, const chip_image& image) {
  const image_chip& chip = image.chip;
  const image_totals t = count_totals(image);
  out << "network \"" << image.network_name << "\" (chip image format " << image_format_version << ")\n";
  out << "  dt " << format_number(image.dt_ms) << " ms, seed " << image.seed << "\n";
  out << "chip \"" << chip.name << "\": " << chip.mesh_width << " x " << chip.mesh_height << " cores per chip, "
      << chip.chips_width << " x " << chip.chips_height << " chips: a " << chip.grid_width() << " x "
      << chip.grid_height() << " grid of " << with_commas(chip.grid_width() * chip.grid_height()) << " cores\n";
  out << "  per core: " << with_commas(chip.neurons) << " neurons, " << with_commas(chip.synapse_words)
      << " synapse words, " << with_commas(chip.input_axons) << " input axons, " << with_commas(chip.output_axons)
      << " output axons, " << chip.neuron_profiles << " neuron profiles,\n            " << chip.trace_profiles
      << " trace profiles, " << chip.learning_rules << " learning rules, " << chip.microcode_words
      << " microcode words, " << with_commas(chip.router_entries) << " router entries, max delay " << chip.max_delay
      << " steps\n";
  out << "uses " << plural(image.cores.size(), "core", "cores") << ": " << plural(t.neurons, "neuron", "neurons")
      << " (" << t.emitting_neurons << " emitting), " << plural(t.synapses, "synapse", "synapses") << " ("
      << t.plastic_synapses << " plastic"
      << (t.indexed_axons == 0 ? std::string()
                               : ", " + with_commas(t.indexed_synapses) + " on " +
                                     plural(t.indexed_axons, "indexed axon", "indexed axons") + " with " +
                                     plural(t.index_words, "index word", "index words"))
      << ") in " << plural(t.synapse_words, "synapse word", "synapse words")
      << ",\n     " << plural(t.input_axons, "input axon", "input axons") << ", "
      << plural(t.route_entries, "route entry", "route entries")
      << (t.routers_without_core == 0
              ? std::string()
              : " (" + plural(t.routers_without_core, "router", "routers") + " without a core)")
      << ", "
      << plural(t.learning_rules, "learning rule", "learning rules") << ", "
      << plural(t.microcode_words, "microcode word", "microcode words") << "\n";

  out << "\npopulations\n";
  table pops({"id", "name", "kind", "size", "slices"}, "rllrl");
  for (std::uint32_t i = 0; i < image.populations.size(); ++i) {
    const image_population& p = image.populations[i];
    pops.add({num(i), p.name, std::string(to_string(p.kind)), with_commas(p.size), slices_of_population(image, i)});
  }
  pops.print(out, "  ");

  if (!image.projections.empty()) {
    out << "\nprojections\n";
    table projs({"id", "name", "pre -> post", "weight_exp", "nA per LSB"}, "rllrl");
    for (std::uint32_t i = 0; i < image.projections.size(); ++i) {
      const image_projection& p = image.projections[i];
      const auto pop_name = [&](std::uint32_t id) {
        return id < image.populations.size() ? image.populations[id].name : "?" + num(id);
      };
      projs.add({num(i), p.name, pop_name(p.pre) + " -> " + pop_name(p.post), std::to_string(p.weight_exp),
                 format_number(p.weight_lsb_na)});
    }
    projs.print(out, "  ");
  }

  out << "\ncores (used/limit)\n";
  table cores({"core", "x,y", "neurons", "synapse words", "axons in", "emitting", "routes", "rules", "microcode",
               "slices"},
              "rrrrrrrrrl");
  for (std::uint32_t i = 0; i < image.cores.size(); ++i) {
    const core_image& c = image.cores[i];
    auto used = [](std::uint64_t u, std::uint64_t limit) { return with_commas(u) + "/" + with_commas(limit); };
    cores.add({num(i), num(c.x) + "," + num(c.y), used(c.neuron_count(), chip.neurons),
               used(c.synapse_memory.size(), chip.synapse_words), used(c.axons.size(), chip.input_axons),
               used(c.emitting_count(), chip.output_axons), used(c.routes.size(), chip.router_entries),
               used(c.rules.size(), chip.learning_rules), used(c.microcode.size(), chip.microcode_words),
               slices_of_core(image, i)});
  }
  cores.print(out, "  ");
}

// --- One core ------------------------------------------------------------------

std::string fields_text(const auto& record) {
  using traits = format_traits<std::decay_t<decltype(record)>>;
  const auto values = to_values(record);
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i == 0 ? "" : " ") + std::string(traits::info.fields[i].name) + "=" + std::to_string(values[i]);
  }
  return out;
}

std::string trace_text(const trace_config& t) {
  return "decay " + num(t.decay) + ", impulse " + num(t.impulse);
}

std::string steps_text(const spike_source& s, bool with_payloads) {
  constexpr std::size_t shown = 8;
  std::string out;
  for (std::size_t i = 0; i < s.steps.size() && i < shown; ++i) {
    out += (i == 0 ? "" : ", ") + num(s.steps[i]);
    if (with_payloads && i < s.payloads.size()) {
      out += " (" + num(s.payloads[i]) + ")";
    }
  }
  if (s.steps.size() > shown) {
    out += ", ... (" + with_commas(s.steps.size()) + " in all)";
  }
  return out;
}

void print_core_overview(std::ostream& out, const chip_image& image, std::uint32_t ci) {
  const core_image& c = image.cores[ci];
  out << "  neurons: " << (c.neuron_count() == 0 ? std::string("none (a router only)") : slices_of_core(image, ci))
      << "\n";
  // Runs of neurons with the same kind and profile.
  for (std::size_t n = 0; n < c.neuron_count();) {
    std::size_t end = n + 1;
    const image_slice* first = slice_at(image, ci, static_cast<std::uint32_t>(n));
    while (end < c.neuron_count() && c.kinds[end] == c.kinds[n] && c.profile[end] == c.profile[n]) {
      const image_slice* s = slice_at(image, ci, static_cast<std::uint32_t>(end));
      if (s == nullptr || first == nullptr || s->population != first->population) {
        break;
      }
      ++end;
    }
    out << "    " << range(n, end - n) << ": "
        << neuron_range_name(image, ci, static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(end - n)) << " "
        << to_string(c.kinds[n]);
    if (c.kinds[n] == neuron_kind::lif) {
      out << ", profile " << c.profile[n];
    }
    out << ", " << std::count(c.emits.begin() + static_cast<std::ptrdiff_t>(n),
                              c.emits.begin() + static_cast<std::ptrdiff_t>(end), std::uint8_t{1})
        << " emitting\n";
    n = end;
  }
  for (std::size_t p = 0; p < c.profiles.size(); ++p) {
    out << "  profile " << p << ": " << fields_text(c.profiles[p]) << "\n";
  }
  for (std::size_t p = 0; p + 1 < c.pre_trace_profiles.size(); p += 2) {
    out << "  pre-trace profile " << p / 2 << ": x1 " << trace_text(c.pre_trace_profiles[p]) << "; x2 "
        << trace_text(c.pre_trace_profiles[p + 1]) << "\n";
  }
  for (std::size_t p = 0; p + 2 < c.post_trace_profiles.size(); p += 3) {
    out << "  post-trace profile " << p / 3 << ": y1 " << trace_text(c.post_trace_profiles[p]) << "; y2 "
        << trace_text(c.post_trace_profiles[p + 1]) << "; y3 " << trace_text(c.post_trace_profiles[p + 2]) << "\n";
  }
  for (std::size_t m = 0; m < c.modulator_traces.size();) {
    std::size_t end = m + 1;
    while (end < c.modulator_traces.size() && c.modulator_traces[end] == c.modulator_traces[m]) {
      ++end;
    }
    out << (end - m == 1 ? "  modulator channel " : "  modulator channels ") << range(m, end - m) << ": r1 "
        << trace_text(c.modulator_traces[m]) << "\n";
    m = end;
  }
  for (std::uint32_t n = 0; n < c.neuron_count(); ++n) {
    const spike_source& s = c.sources[n];
    switch (c.kinds[n]) {
      case neuron_kind::lif:
        break;
      case neuron_kind::spike_array:
        out << "  source " << neuron_name(image, ci, n) << ": "
            << (s.steps.empty() ? std::string("no spikes") : "spikes at steps " + steps_text(s, false)) << "\n";
        break;
      case neuron_kind::modulator:
        out << "  source " << neuron_name(image, ci, n) << ": "
            << (s.steps.empty() ? std::string("no events") : "events (payload) at steps " + steps_text(s, true))
            << "\n";
        break;
      case neuron_kind::poisson:
        out << "  source " << neuron_name(image, ci, n) << ": Poisson p32 " << s.p32 << " ("
            << format_number(static_cast<double>(s.p32) / 4294967296.0) << " per step), steps " << s.start_step
            << ".." << (s.end_step == 0xffffffffu ? std::string("end") : num(s.end_step) + " (excl.)")
            << ", counter population " << s.population << " neuron " << s.index << "\n";
        break;
    }
  }
}

// The pre population's name of projection `p`, or "?".
std::string pre_name(const chip_image& image, std::uint32_t p) {
  if (p < image.projections.size() && image.projections[p].pre < image.populations.size()) {
    return image.populations[image.projections[p].pre].name;
  }
  return "?";
}

std::string input_source_text(const chip_image& image, const core_image& c, std::size_t e) {
  const input_map_entry& m = c.input_map[e];
  const std::uint32_t p = e < c.input_projection.size() ? c.input_projection[e] : no_projection;
  std::string out;
  if (m.indexed != 0) {
    // cores 3..5 neurons 0..99 -> indexed axon 7 as exc[0..299]
    out = (m.src_cores == 1 ? "core " : "cores ") + range(m.src_core, m.src_cores) +
          (m.count == 1 ? " neuron " : " neurons ") + range(m.neuron_base, m.count) + " -> indexed axon " +
          num(m.axon_base) + " as " + pre_name(image, p) + "[" +
          range(m.index_base, std::uint64_t{m.src_cores} * m.count) + "]";
  } else {
    out = "core " + num(m.src_core) + (m.count == 1 ? " neuron " : " neurons ") + range(m.neuron_base, m.count);
    if (m.src_core < image.cores.size()) {
      out += " = " + neuron_range_name(image, m.src_core, m.neuron_base, m.count);
    }
    out += (m.count == 1 ? " -> axon " : " -> axons ") + range(m.axon_base, m.count);
  }
  if (p == no_projection) {
    out += " (modulator)";
  } else {
    out += " via projection " + (p < image.projections.size() ? image.projections[p].name : "?" + num(p));
  }
  return out;
}

// An indexed axon: its index, then block by block the synapses with their
// source index j (numerics §5).
//     axon 7 (indexed) <- exc via exc_to_inh: index 40..46 (7 blocks), blocks 47..150, weight_exp 0
//       block 0 (exc[0..15]): words 47..60
//         exc[3] -> target 5 w=12 d=1 excitatory
void print_indexed_axon(std::ostream& out, const chip_image& image, std::uint32_t ci, std::uint32_t a,
                        std::uint32_t projection) {
  const core_image& c = image.cores[ci];
  const axon_entry& ax = c.axons[a];
  const std::string pre = pre_name(image, projection);
  // Sources below the pre population's size (the last block may be partial).
  std::uint64_t sources = std::uint64_t{ax.row_len} * index_block;
  if (projection < image.projections.size() && image.projections[projection].pre < image.populations.size()) {
    sources = std::min<std::uint64_t>(sources, image.populations[image.projections[projection].pre].size);
  }
  out << "    axon " << a << " (indexed)";
  if (projection != no_projection) {
    out << " <- " << pre << " via "
        << (projection < image.projections.size() ? image.projections[projection].name : "?" + num(projection));
  }
  const std::uint64_t words = axon_words(c, ax);
  out << ": index " << (ax.row_len == 0 ? std::string("none") : range(ax.row_base, ax.row_len)) << " ("
      << plural(ax.row_len, "block", "blocks") << "), blocks "
      << (words == ax.row_len ? std::string("empty") : range(std::uint64_t{ax.row_base} + ax.row_len, words - ax.row_len))
      << ", weight_exp " << ax.weight_exp << "\n";
  const std::vector<indexed_synapse> synapses = decode_indexed(c, ax);
  std::size_t i = 0;
  for (std::uint32_t b = 0; b < ax.row_len; ++b) {
    const std::size_t first = i;
    while (i < synapses.size() && synapses[i].block == b) {
      ++i;
    }
    if (i == first) {
      continue;  // an empty block
    }
    const std::uint64_t first_source = std::uint64_t{b} * index_block;
    const std::uint64_t block_sources =
        sources > first_source ? std::min<std::uint64_t>(index_block, sources - first_source) : index_block;
    out << "      block " << b << " (" << pre << "[" << range(first_source, block_sources) << "]): words " << range(synapses[first].address, i - first) << "\n";
    for (std::size_t k = first; k < i; ++k) {
      const indexed_synapse& s = synapses[k];
      out << "        " << pre << "[" << s.source << "] -> target " << s.word.target << " w=" << s.word.weight
          << " d=" << s.word.delay << " " << to_string(s.word.receptor) << "\n";
    }
  }
}

void print_synapses(std::ostream& out, const chip_image& image, std::uint32_t ci) {
  const core_image& c = image.cores[ci];
  out << "  input map (" << plural(c.input_map.size(), "entry", "entries") << ")\n";
  // Which entry feeds each axon.
  std::vector<std::pair<std::size_t, std::uint32_t>> feeder(c.axons.size(), {c.input_map.size(), 0});
  for (std::size_t e = 0; e < c.input_map.size(); ++e) {
    const input_map_entry& m = c.input_map[e];
    out << "    " << input_source_text(image, c, e) << "\n";
    if (m.indexed != 0) {
      if (m.axon_base < c.axons.size() && feeder[m.axon_base].first == c.input_map.size()) {
        feeder[m.axon_base] = {e, 0};
      }
      continue;
    }
    for (std::uint32_t j = 0; j < m.count && std::uint64_t{m.axon_base} + j < c.axons.size(); ++j) {
      feeder[m.axon_base + j] = {e, m.neuron_base + j};
    }
  }
  out << "  synapse rows (" << with_commas(c.synapse_memory.size()) << " of " << with_commas(image.chip.synapse_words)
      << " words)\n";
  for (std::size_t a = 0; a < c.axons.size(); ++a) {
    const axon_entry& ax = c.axons[a];
    if (ax.indexed != 0) {
      print_indexed_axon(out, image, ci, static_cast<std::uint32_t>(a),
                         feeder[a].first < c.input_map.size() ? c.input_projection[feeder[a].first]
                                                              : no_projection);
      continue;
    }
    out << "    axon " << a;
    const auto [e, neuron] = feeder[a];
    if (e < c.input_map.size()) {
      const std::uint32_t src = c.input_map[e].src_core;
      out << " <- " << (src < image.cores.size() ? neuron_name(image, src, neuron) : "core " + num(src));
      const std::uint32_t p = c.input_projection[e];
      if (p != no_projection && p < image.projections.size()) {
        out << " via " << image.projections[p].name;
      }
    }
    if (ax.modulator == 1) {
      out << ": modulator channel " << ax.modulator_channel << "\n";
      continue;
    }
    out << ": words " << (ax.row_len == 0 ? std::string("none") : range(ax.row_base, ax.row_len)) << ", weight_exp "
        << ax.weight_exp << ", pre-trace profile " << ax.pre_trace_profile;
    if (ax.learning == 1) {
      out << ", rule " << ax.rule;
    }
    out << "\n";
    for (const row_synapse& s : decode_row(c, ax)) {
      out << "      target " << s.word.target << " w=" << s.word.weight << " d=" << s.word.delay << " "
          << to_string(s.word.receptor);
      if (s.plastic) {
        out << " plastic tag=" << s.plastic->tag << " frac=" << s.plastic->weight_frac;
      }
      out << "\n";
    }
  }
}

void print_routes(std::ostream& out, const chip_image& image, const std::vector<route_entry>& routes) {
  out << "  routing table (" << routes.size() << " of " << with_commas(image.chip.router_entries)
      << " entries; first match wins, no match: straight on)\n";
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const route_entry& e = routes[r];
    out << "    " << r << ": key " << hex(e.key, 7) << " mask " << hex(e.mask, 7) << " -> " << port_names(e.ports)
        << ": " << describe_route_match(image, e) << "\n";
  }
}

void print_microcode(std::ostream& out, const chip_image& image, std::uint32_t ci) {
  const core_image& c = image.cores[ci];
  out << "  learning rules (" << c.rules.size() << " of " << image.chip.learning_rules << "), microcode ("
      << c.microcode.size() << " of " << image.chip.microcode_words << " words)\n";
  for (std::uint32_t r = 0; r < c.rules.size(); ++r) {
    out << "    " << disassemble_rule(c, r) << "\n";
  }
}

}  // namespace

std::string disassemble_term(const learning_term& term) {
  std::string out(to_string(term.target));
  if (out.empty()) {
    out = "target" + std::to_string(static_cast<unsigned>(term.target));
  }
  out += term.negate != 0 ? " -= " : " += ";
  std::vector<std::string> parts;
  if (term.scale != 0) {
    parts.push_back("2^" + std::to_string(term.scale));
  }
  const std::pair<learn_operand, std::int32_t> factors[] = {
      {term.op0, term.const0}, {term.op1, term.const1}, {term.op2, term.const2}};
  for (const auto& [op, k] : factors) {
    if (op != learn_operand::none) {
      parts.push_back(factor(op, k));
    }
  }
  if (parts.empty()) {
    parts.emplace_back("1");
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out += (i == 0 ? "" : " * ") + parts[i];
  }
  return out;
}

std::string disassemble_rule(const core_image& core, std::uint32_t rule) {
  const learning_rule& r = core.rules.at(rule);
  std::string out = "rule " + num(rule) + " (epoch " + num(r.epoch) + ", w in [" + std::to_string(r.w_min) + ", " +
                    std::to_string(r.w_max) + "]";
  if (r.tag_decay != 0) {
    out += ", tag decay " + num(r.tag_decay);
  }
  out += ", modulator " + num(r.modulator) + "):";
  for (std::uint32_t t = 0; t < r.num_terms; ++t) {
    const std::uint64_t j = std::uint64_t{r.first_term} + t;
    if (j >= core.microcode.size()) {
      out += " <term " + num(j) + " is past the microcode>";
      break;
    }
    out += (t == 0 ? " " : "; ") + disassemble_term(core.microcode[j]);
  }
  return out;
}

std::string port_names(std::uint32_t ports) {
  std::string out;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if ((ports >> bit & 1u) == 0) {
      continue;
    }
    std::string name(to_string(static_cast<route_port>(bit)));
    out += (out.empty() ? "" : ", ") + (name.empty() ? "port" + std::to_string(bit) : name);
  }
  return out.empty() ? std::string("none") : out;
}

std::string describe_route_match(const chip_image& image, const route_entry& entry) {
  constexpr std::uint32_t neuron_bits = 12;
  constexpr std::uint32_t neuron_mask = (1u << neuron_bits) - 1;
  constexpr std::uint32_t core_mask = 0xffff;
  const std::uint32_t key_core = entry.key >> neuron_bits;
  const std::uint32_t mask_core = (entry.mask >> neuron_bits) & core_mask;
  const std::uint32_t key_neuron = entry.key & neuron_mask;
  const std::uint32_t mask_neuron = entry.mask & neuron_mask;

  std::string out;
  if (mask_core == core_mask) {
    out = "core " + num(key_core);
  } else if (mask_core == 0) {
    out = "any core";
  } else {
    out = "cores " + hex(key_core, 4) + "/" + hex(mask_core, 4);
  }
  // A neuron mask of the form 1..10..0 matches an aligned block.
  const std::uint32_t free_bits = ~mask_neuron & neuron_mask;
  const bool block = (free_bits & (free_bits + 1)) == 0;
  if (!block) {
    return out + " neurons " + hex(key_neuron, 3) + "/" + hex(mask_neuron, 3);
  }
  const std::uint32_t lo = key_neuron;
  const std::uint32_t hi = key_neuron | free_bits;
  out += (lo == hi ? " neuron " : " neurons ") + range(lo, hi - lo + 1);
  if (mask_core == core_mask && key_core < image.cores.size()) {
    const std::size_t n = image.cores[key_core].neuron_count();
    if (lo < n) {
      const std::uint32_t last = std::min<std::uint32_t>(hi, static_cast<std::uint32_t>(n - 1));
      out += " (" + neuron_range_name(image, key_core, lo, last - lo + 1) + ")";
    } else {
      out += " (no neurons there)";
    }
  }
  return out;
}

void print_image(std::ostream& out, const chip_image& image, const print_options& options) {
  print_summary(out, image);
  const bool any_detail = options.synapses || options.routes || options.microcode;
  if (!options.core && !any_detail) {
    return;
  }
  for (std::uint32_t ci = 0; ci < image.cores.size(); ++ci) {
    if (options.core && *options.core != ci) {
      continue;
    }
    out << "\n" << core_label(image, ci) << "\n";
    if (options.core) {
      print_core_overview(out, image, ci);
    }
    if (options.synapses) {
      print_synapses(out, image, ci);
    }
    if (options.routes) {
      print_routes(out, image, image.cores[ci].routes);
    }
    if (options.microcode) {
      print_microcode(out, image, ci);
    }
  }
  if (options.routes && !options.core) {
    for (const image_router& r : image.routers) {
      out << "\nrouter (" << r.x << "," << r.y << "), no core there\n";
      print_routes(out, image, r.entries);
    }
  }
}

}  // namespace engram::isa
