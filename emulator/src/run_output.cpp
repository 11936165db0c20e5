#include <engram/emulator/run_output.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <unistd.h>

#include <engram/common/atomic_file.hpp>
#include <engram/common/error.hpp>

namespace engram::emulator {

namespace {

constexpr std::uint32_t none = ~0u;

}  // namespace

void for_each_synapse(const simulation& sim, const std::vector<std::uint32_t>& projections,
                      const std::function<void(std::uint32_t, const learned_synapse&)>& visit) {
  const isa::chip_image& image = sim.image();
  // Core neuron -> index in its population.
  std::vector<std::vector<std::uint32_t>> index_of(image.cores.size());
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    index_of[c].assign(image.cores[c].neuron_count(), none);
  }
  for (const isa::image_slice& sl : image.slices) {
    for (std::uint32_t k = 0; k < sl.count; ++k) {
      if (sl.core < index_of.size() && sl.core_neuron + k < index_of[sl.core].size()) {
        index_of[sl.core][sl.core_neuron + k] = sl.first + k;
      }
    }
  }
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    const isa::core_image& ci = image.cores[c];
    std::vector<std::uint32_t> memory;
    std::vector<std::uint32_t> indexed_done;  // indexed axons already visited
    for (std::size_t e = 0; e < ci.input_map.size(); ++e) {
      const std::uint32_t proj = e < ci.input_projection.size() ? ci.input_projection[e] : isa::no_projection;
      if (std::find(projections.begin(), projections.end(), proj) == projections.end()) {
        continue;
      }
      if (memory.empty()) {
        memory = sim.core_at(c).synapse_memory();
      }
      const isa::input_map_entry& m = ci.input_map[e];
      if (m.indexed != 0) {
        // An indexed axon (never plastic) once, at its first entry; each
        // synapse names its source's index j in the pre population.
        if (m.axon_base >= ci.axons.size() || std::find(indexed_done.begin(), indexed_done.end(), m.axon_base) !=
                                                   indexed_done.end()) {
          continue;
        }
        indexed_done.push_back(m.axon_base);
        for (const isa::indexed_synapse& is : isa::decode_indexed(ci, ci.axons[m.axon_base])) {
          learned_synapse s;
          s.pre = is.source;
          s.post = is.word.target < index_of[c].size() ? index_of[c][is.word.target] : none;
          s.weight = is.word.weight;
          s.delay = is.word.delay;
          visit(proj, s);
        }
        continue;
      }
      for (std::uint32_t k = 0; k < m.count && m.axon_base + k < ci.axons.size(); ++k) {
        const isa::axon_entry& a = ci.axons[m.axon_base + k];
        const std::uint32_t src = m.src_core;
        const std::uint32_t src_neuron = m.neuron_base + k;
        const std::uint32_t pre =
            src < index_of.size() && src_neuron < index_of[src].size() ? index_of[src][src_neuron] : none;
        const std::uint32_t end =
            std::min<std::uint32_t>(a.row_base + a.row_len, static_cast<std::uint32_t>(memory.size()));
        for (std::uint32_t i = a.row_base; i < end;) {
          const isa::synapse_word w = isa::unpack_synapse_word({memory[i++]});
          isa::plastic_word pw{};
          if (w.plastic && i < end) {
            pw = isa::unpack_plastic_word({memory[i++]});
          }
          learned_synapse s;
          s.pre = pre;
          s.post = w.target < index_of[c].size() ? index_of[c][w.target] : none;
          s.weight = w.weight;
          s.weight_frac = static_cast<std::uint32_t>(pw.weight_frac);
          s.tag = pw.tag;
          s.delay = static_cast<std::uint32_t>(w.delay);
          visit(proj, s);
        }
      }
    }
  }
}

std::vector<learned_synapse> read_projection(const simulation& sim, std::uint32_t projection) {
  std::vector<learned_synapse> out;
  for_each_synapse(sim, {projection}, [&](std::uint32_t, const learned_synapse& s) { out.push_back(s); });
  return out;
}

struct run_recorder::stream {
  std::string name;
  std::filesystem::path temporary;
  std::FILE* file = nullptr;
  std::uint64_t bytes = 0;
};

activity make_activity(const simulation& sim) {
  const isa::chip_image& image = sim.image();
  const run_totals& t = sim.totals();
  activity a;
  a.chip = image.chip;
  a.dt_ms = image.dt_ms;
  a.steps = t.steps;
  a.cycles = t.cycles;
  a.max_step_cycles = t.max_step_cycles;
  a.max_step = t.max_step;
  a.link_bottleneck_steps = t.link_bottleneck_steps;
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    const isa::core_image& ci = image.cores[c];
    a.emitting_neurons += ci.emitting_count();
    activity::core_row row;
    row.x = ci.x;
    row.y = ci.y;
    row.neurons = static_cast<std::uint32_t>(ci.neuron_count());
    row.counters = t.per_core[c];
    row.bottleneck_steps = t.bottleneck_core_steps[c];
    a.cores.push_back(row);
  }
  a.populations.resize(image.populations.size());
  for (std::size_t p = 0; p < image.populations.size(); ++p) {
    a.populations[p].name = image.populations[p].name;
  }
  const std::vector<slice_totals> slices = sim.slice_activity();
  for (std::size_t i = 0; i < image.slices.size(); ++i) {
    const isa::image_slice& sl = image.slices[i];
    if (sl.population >= a.populations.size()) {
      continue;
    }
    activity::population_row& row = a.populations[sl.population];
    const slice_totals& s = slices[i];
    row.neurons += sl.count;
    const std::size_t core_neurons = sl.core < image.cores.size() ? image.cores[sl.core].neuron_count() : 0;
    row.core_share += core_neurons ? static_cast<double>(sl.count) / static_cast<double>(core_neurons) : 0.0;
    row.neuron_updates_active += s.neuron_updates_active;
    row.neuron_updates_idle += s.neuron_updates_idle;
    row.spikes += s.spikes;
    row.packets_out += s.packets_out;
    row.deliveries += s.deliveries;
    row.hops_east_west += s.hops_east_west;
    row.hops_north_south += s.hops_north_south;
    row.hops_inter_chip += s.hops_inter_chip;
  }
  // Synaptic operations and learning updates belong to the population the
  // synapses project onto (where they are stored).
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    const isa::core_image& ci = image.cores[c];
    const core& k = sim.core_at(c);
    for (std::size_t e = 0; e < ci.input_map.size(); ++e) {
      const std::uint32_t proj = e < ci.input_projection.size() ? ci.input_projection[e] : isa::no_projection;
      if (proj == isa::no_projection || proj >= image.projections.size()) {
        continue;
      }
      const std::uint32_t post = image.projections[proj].post;
      if (post < a.populations.size()) {
        a.populations[post].synaptic_ops += sim.entry_synaptic_ops(c)[e];
        a.populations[post].synaptic_updates += k.entry_synaptic_updates()[e];
      }
    }
  }
  return a;
}

run_recorder::run_recorder(std::filesystem::path folder, const simulation& sim, record_options options)
    : folder_(std::move(folder)), sim_(&sim), options_(std::move(options)) {
  std::error_code ec;
  std::filesystem::create_directories(folder_, ec);
  if (ec || !std::filesystem::is_directory(folder_)) {
    throw file_error(folder_.string(), "cannot create the output folder: " +
                                           (ec ? ec.message() : std::string("a file of that name exists")));
  }
  const isa::chip_image& image = sim.image();
  first_step_ = sim.step();
  population_of_.resize(image.cores.size());
  index_of_.resize(image.cores.size());
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    population_of_[c].assign(image.cores[c].neuron_count(), none);
    index_of_[c].assign(image.cores[c].neuron_count(), none);
  }
  for (const isa::image_slice& sl : image.slices) {
    for (std::uint32_t k = 0; k < sl.count; ++k) {
      if (sl.core < population_of_.size() && sl.core_neuron + k < population_of_[sl.core].size()) {
        population_of_[sl.core][sl.core_neuron + k] = sl.population;
        index_of_[sl.core][sl.core_neuron + k] = sl.first + k;
      }
    }
  }
  record_population_.assign(image.populations.size(), options_.spike_populations.empty() ? 1 : 0);
  for (std::uint32_t p : options_.spike_populations) {
    if (p < record_population_.size()) {
      record_population_[p] = 1;
    }
  }
  if (options_.spikes) {
    spikes_ = &open("spikes.bin");
    if (options_.spikes_csv) {
      spikes_csv_ = &open("spikes.csv");
      const char header[] = "step,population,neuron\n";
      write(*spikes_csv_, header, sizeof header - 1);
    }
  }
  if (options_.counters) {
    counters_ = &open("counters.bin");
    steps_ = &open("steps.bin");
  }
  if (!sim.options().probes.empty()) {
    state_ = &open("state.bin");
  }
  if (!options_.weight_projections.empty() && options_.weight_every > 0) {
    weights_ = &open("weights.bin");
  }
}

run_recorder::~run_recorder() {
  for (auto& s : streams_) {
    if (s->file != nullptr) {
      std::fclose(s->file);
    }
    if (!finished_) {
      std::error_code ec;
      std::filesystem::remove(s->temporary, ec);
    }
  }
}

run_recorder::stream& run_recorder::open(const std::string& name) {
  auto s = std::make_unique<stream>();
  s->name = name;
  s->temporary = folder_ / ("." + name + ".tmp" + std::to_string(::getpid()));
  s->file = std::fopen(s->temporary.c_str(), "wb");
  if (s->file == nullptr) {
    throw file_error((folder_ / name).string(), std::string("cannot write: ") + std::strerror(errno));
  }
  std::setvbuf(s->file, nullptr, _IOFBF, 1 << 20);
  streams_.push_back(std::move(s));
  return *streams_.back();
}

void run_recorder::write(stream& s, const void* data, std::size_t bytes) {
  if (bytes != 0 && std::fwrite(data, 1, bytes, s.file) != bytes) {
    throw file_error((folder_ / s.name).string(), std::string("write failed: ") + std::strerror(errno));
  }
  s.bytes += bytes;
}

void run_recorder::on_step(const step_view& step) {
  const std::uint32_t s32 = static_cast<std::uint32_t>(step.step);
  if (spikes_ != nullptr) {
    rows_.clear();
    for (std::uint32_t c = 0; c < step.cores.size(); ++c) {
      for (std::uint32_t n : step.cores[c].spiked) {
        const std::uint32_t p = population_of_[c][n];
        if (p != none && record_population_[p]) {
          rows_.push_back({s32, p, index_of_[c][n]});
        }
      }
    }
    std::sort(rows_.begin(), rows_.end(), [](const spike_row& a, const spike_row& b) {
      return a.population != b.population ? a.population < b.population : a.neuron < b.neuron;
    });
    write(*spikes_, rows_.data(), rows_.size() * sizeof(spike_row));
    spikes_recorded_ += rows_.size();
    if (spikes_csv_ != nullptr) {
      std::string text;
      for (const spike_row& r : rows_) {
        text += std::to_string(r.step) + "," + sim_->image().populations[r.population].name + "," +
                std::to_string(r.neuron) + "\n";
      }
      write(*spikes_csv_, text.data(), text.size());
    }
  }
  if (counters_ != nullptr) {
    for (const core_step& c : step.cores) {
      const auto values = to_array(c.counters);
      write(*counters_, values.data(), sizeof values);
    }
    struct {
      double cycles, core_cycles, network_cycles;
      std::uint32_t bottleneck, bottleneck_id;
    } row{step.timing.cycles, step.timing.core_cycles, step.timing.network_cycles,
          static_cast<std::uint32_t>(step.timing.bottleneck), step.timing.bottleneck_id};
    static_assert(sizeof row == 32);
    write(*steps_, &row, sizeof row);
  }
  if (state_ != nullptr) {
    for (std::uint32_t c = 0; c < step.cores.size(); ++c) {
      for (const probe_sample& p : step.cores[c].probes) {
        const std::int32_t rec[7] = {static_cast<std::int32_t>(s32),
                                     static_cast<std::int32_t>(population_of_[c][p.neuron]),
                                     static_cast<std::int32_t>(index_of_[c][p.neuron]),
                                     p.state.u_exc,
                                     p.state.u_inh,
                                     p.state.v,
                                     static_cast<std::int32_t>(p.state.refractory)};
        write(*state_, rec, sizeof rec);
        ++state_samples_;
      }
    }
  }
}

void run_recorder::record_weights(const simulation& sim) {
  if (weights_ == nullptr) {
    return;
  }
  const std::int32_t step = static_cast<std::int32_t>(static_cast<std::uint32_t>(sim.step()));
  for_each_synapse(sim, options_.weight_projections, [&](std::uint32_t proj, const learned_synapse& s) {
    const std::int32_t rec[8] = {step,
                                 static_cast<std::int32_t>(proj),
                                 static_cast<std::int32_t>(s.pre),
                                 static_cast<std::int32_t>(s.post),
                                 s.weight,
                                 static_cast<std::int32_t>(s.weight_frac),
                                 s.tag,
                                 static_cast<std::int32_t>(s.delay)};
    write(*weights_, rec, sizeof rec);
    ++weight_records_;
  });
}

energy_report run_recorder::finish(const simulation& sim, const nlohmann::json& extra) {
  const isa::chip_image& image = sim.image();
  const activity act = make_activity(sim);
  const energy_report energy = compute_energy(act);
  nlohmann::json j;
  j["format"] = "engram-run/1";
  j["network"] = image.network_name;
  j["dt_ms"] = image.dt_ms;
  j["seed"] = image.seed;
  j["first_step"] = first_step_;
  j["end_step"] = sim.step();
  nlohmann::json pops = nlohmann::json::array();
  for (const isa::image_population& p : image.populations) {
    pops.push_back({{"name", p.name}, {"size", p.size}, {"kind", std::string(isa::to_string(p.kind))}});
  }
  j["populations"] = pops;
  nlohmann::json projs = nlohmann::json::array();
  for (const isa::image_projection& p : image.projections) {
    projs.push_back({{"name", p.name}, {"pre", p.pre}, {"post", p.post}, {"weight_exp", p.weight_exp},
                     {"weight_lsb_na", p.weight_lsb_na}});
  }
  j["projections"] = projs;
  nlohmann::json files = nlohmann::json::object();
  for (const auto& s : streams_) {
    files[s->name] = s->bytes;
  }
  j["files"] = files;
  j["recorded"] = {{"spikes", spikes_recorded_}, {"state_samples", state_samples_},
                   {"weight_records", weight_records_}, {"cores", image.cores.size()}};
  for (const auto& [key, value] : extra.items()) {
    j[key] = value;
  }
  j["activity"] = act;
  j["energy"] = to_json(energy);
  for (auto& s : streams_) {
    if (std::fflush(s->file) != 0 || ::fsync(::fileno(s->file)) != 0) {
      throw file_error((folder_ / s->name).string(), std::string("write failed: ") + std::strerror(errno));
    }
    std::fclose(s->file);
    s->file = nullptr;
  }
  for (auto& s : streams_) {
    std::error_code ec;
    std::filesystem::rename(s->temporary, folder_ / s->name, ec);
    if (ec) {
      throw file_error((folder_ / s->name).string(), "cannot rename the finished file: " + ec.message());
    }
  }
  finished_ = true;
  write_text_file(folder_ / "run.json", j.dump(2) + "\n", "run summary");
  return energy;
}

}  // namespace engram::emulator
