#include <engram/emulator/energy.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>

namespace engram::emulator {

namespace {

using nlohmann::json;

// Reading run.json back: every value is looked up by JSON pointer, so a
// malformed file is refused naming the path.
class reader {
 public:
  reader(const json& root, std::string source) : root_(root), source_(std::move(source)) {}

  const json& at(const std::string& path, json::value_t type) const {
    const json::json_pointer p(path);
    if (!root_.contains(p)) {
      throw input_error(source_, path, "missing (is this the run.json of an engram run?)");
    }
    const json& v = root_.at(p);
    const bool ok = type == json::value_t::number_float ? v.is_number()
                    : type == json::value_t::number_unsigned ? v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)
                                                             : v.type() == type;
    if (!ok) {
      throw input_error(source_, path, "expected " + std::string(json(type).type_name()) + ", found " +
                                           std::string(v.type_name()));
    }
    return v;
  }
  double number(const std::string& path) const { return at(path, json::value_t::number_float).get<double>(); }
  std::uint64_t count(const std::string& path) const {
    return at(path, json::value_t::number_unsigned).get<std::uint64_t>();
  }
  std::uint32_t count32(const std::string& path) const {
    const std::uint64_t v = count(path);
    if (v > UINT32_MAX) {
      throw input_error(source_, path, "expected a count below 2^32, found " + std::to_string(v));
    }
    return static_cast<std::uint32_t>(v);
  }
  std::string text(const std::string& path) const { return at(path, json::value_t::string).get<std::string>(); }
  bool flag(const std::string& path) const { return at(path, json::value_t::boolean).get<bool>(); }
  std::size_t size(const std::string& path) const { return at(path, json::value_t::array).size(); }

 private:
  const json& root_;
  std::string source_;
};

// The counts of a population row, by their run.json names (written and read
// from this one list).
struct population_count {
  std::string_view name;
  std::uint64_t activity::population_row::*value;
};
constexpr population_count population_counts[] = {
    {"neurons", &activity::population_row::neurons},
    {"neuron_updates_active", &activity::population_row::neuron_updates_active},
    {"neuron_updates_idle", &activity::population_row::neuron_updates_idle},
    {"spikes", &activity::population_row::spikes},
    {"packets_out", &activity::population_row::packets_out},
    {"deliveries", &activity::population_row::deliveries},
    {"hops_east_west", &activity::population_row::hops_east_west},
    {"hops_north_south", &activity::population_row::hops_north_south},
    {"hops_inter_chip", &activity::population_row::hops_inter_chip},
    {"synaptic_ops", &activity::population_row::synaptic_ops},
    {"synaptic_updates", &activity::population_row::synaptic_updates},
};

json chip_json(const isa::image_chip& c) {
  json j = {{"name", c.name},
            {"mesh_width", c.mesh_width},
            {"mesh_height", c.mesh_height},
            {"chips_width", c.chips_width},
            {"chips_height", c.chips_height},
            {"has_inter_chip", c.has_inter_chip}};
  for (const isa::image_chip_figure& f : isa::image_chip_figures) {
    j[std::string(f.name)] = c.*f.value;
  }
  return j;
}

std::string fmt(double v, const char* f = "%.4g") {
  char b[64];
  std::snprintf(b, sizeof b, f, v);
  return b;
}

// pJ with a readable unit.
std::string energy_text(double pj) {
  const double a = pj < 0 ? -pj : pj;
  if (a >= 1e12) return fmt(pj * 1e-12, "%.4g J");
  if (a >= 1e9) return fmt(pj * 1e-9, "%.4g mJ");
  if (a >= 1e6) return fmt(pj * 1e-6, "%.4g uJ");
  if (a >= 1e3) return fmt(pj * 1e-3, "%.4g nJ");
  return fmt(pj, "%.4g pJ");
}

std::string power_text(double w) {
  const double a = w < 0 ? -w : w;
  if (a >= 1) return fmt(w, "%.4g W");
  if (a >= 1e-3) return fmt(w * 1e3, "%.4g mW");
  if (a >= 1e-6) return fmt(w * 1e6, "%.4g uW");
  return fmt(w * 1e9, "%.4g nW");
}

}  // namespace

void to_json(json& j, const activity& a) {
  j = json::object();
  j["chip"] = chip_json(a.chip);
  j["dt_ms"] = a.dt_ms;
  j["steps"] = a.steps;
  j["cycles"] = a.cycles;
  j["max_step_cycles"] = a.max_step_cycles;
  j["max_step"] = a.max_step;
  j["emitting_neurons"] = a.emitting_neurons;
  j["link_bottleneck_steps"] = a.link_bottleneck_steps;
  json cores = json::array();
  for (const activity::core_row& c : a.cores) {
    json counters = json::object();
    for (std::size_t i = 0; i < counter_count; ++i) {
      counters[std::string(counter_names[i])] = c.counters[i];
    }
    cores.push_back({{"x", c.x},
                     {"y", c.y},
                     {"neurons", c.neurons},
                     {"bottleneck_steps", c.bottleneck_steps},
                     {"counters", counters}});
  }
  j["cores"] = cores;
  json pops = json::array();
  for (const activity::population_row& p : a.populations) {
    json row = {{"name", p.name}, {"core_share", p.core_share}};
    for (const population_count& f : population_counts) {
      row[std::string(f.name)] = p.*f.value;
    }
    pops.push_back(row);
  }
  j["populations"] = pops;
}

activity activity_from_json(const json& j, const std::string& source) {
  const reader r(j, source);
  activity a;
  isa::image_chip& c = a.chip;
  c.name = r.text("/chip/name");
  c.mesh_width = r.count32("/chip/mesh_width");
  c.mesh_height = r.count32("/chip/mesh_height");
  c.chips_width = r.count32("/chip/chips_width");
  c.chips_height = r.count32("/chip/chips_height");
  c.has_inter_chip = r.flag("/chip/has_inter_chip");
  for (const isa::image_chip_figure& f : isa::image_chip_figures) {
    c.*f.value = r.number("/chip/" + std::string(f.name));
  }
  a.dt_ms = r.number("/dt_ms");
  a.steps = r.count("/steps");
  a.cycles = r.number("/cycles");
  a.max_step_cycles = r.number("/max_step_cycles");
  a.max_step = r.count("/max_step");
  a.emitting_neurons = r.count("/emitting_neurons");
  a.link_bottleneck_steps = r.count("/link_bottleneck_steps");
  for (std::size_t i = 0; i < r.size("/cores"); ++i) {
    const std::string p = "/cores/" + std::to_string(i);
    activity::core_row row;
    row.x = r.count32(p + "/x");
    row.y = r.count32(p + "/y");
    row.neurons = r.count32(p + "/neurons");
    row.bottleneck_steps = r.count(p + "/bottleneck_steps");
    for (std::size_t k = 0; k < counter_count; ++k) {
      row.counters.values[k] = r.count(p + "/counters/" + std::string(counter_names[k]));
    }
    a.cores.push_back(row);
  }
  for (std::size_t i = 0; i < r.size("/populations"); ++i) {
    const std::string p = "/populations/" + std::to_string(i);
    activity::population_row row;
    row.name = r.text(p + "/name");
    row.core_share = r.number(p + "/core_share");
    for (const population_count& f : population_counts) {
      row.*f.value = r.count(p + "/" + std::string(f.name));
    }
    a.populations.push_back(row);
  }
  if (a.dt_ms <= 0) {
    throw input_error(source, "/dt_ms", "expected a positive time step, found " + fmt(a.dt_ms));
  }
  return a;
}

energy_report compute_energy(const activity& a) {
  const isa::image_chip& c = a.chip;
  energy_report r;
  r.seconds_real_time = static_cast<double>(a.steps) * a.dt_ms * 1e-3;
  r.seconds_fastest = c.clock_mhz > 0 ? a.cycles / (c.clock_mhz * 1e6) : 0;
  const double inter_pj = c.has_inter_chip ? c.inter_chip_hop_pj : c.hop_east_west_pj;
  counter_totals all;
  for (const activity::core_row& row : a.cores) {
    all.add(row.counters);
  }
  auto dynamic_of = [&](double synops, double updates, double active, double idle, double deliveries, double ew,
                        double ns, double chip) {
    return synops * c.synaptic_op_pj + updates * c.synaptic_update_pj + active * c.neuron_update_active_pj +
           idle * c.neuron_update_idle_pj + deliveries * c.spike_local_pj + ew * c.hop_east_west_pj +
           ns * c.hop_north_south_pj + chip * inter_pj;
  };
  const auto d = [](std::uint64_t v) { return static_cast<double>(v); };
  r.by_operation = {
      {"synaptic operations", d(all.synaptic_ops()) * c.synaptic_op_pj},
      {"learning updates", d(all.synaptic_updates()) * c.synaptic_update_pj},
      {"neuron updates (active)", d(all.neuron_updates_active()) * c.neuron_update_active_pj},
      {"neuron updates (idle)", d(all.neuron_updates_idle()) * c.neuron_update_idle_pj},
      {"spike deliveries", d(all.deliveries()) * c.spike_local_pj},
      {"router hops east-west", d(all.hops_east_west()) * c.hop_east_west_pj},
      {"router hops north-south", d(all.hops_north_south()) * c.hop_north_south_pj},
      {"chip-to-chip hops", d(all.hops_inter_chip()) * inter_pj},
  };
  for (const energy_line& l : r.by_operation) {
    r.dynamic_pj += l.pj;
  }
  const double static_w_per_core = c.static_power_mw_per_core * 1e-3;
  const double cores = static_cast<double>(a.cores.size());
  r.static_pj_real_time = static_w_per_core * cores * r.seconds_real_time * 1e12;
  r.static_pj_fastest = static_w_per_core * cores * r.seconds_fastest * 1e12;
  for (std::uint32_t i = 0; i < a.cores.size(); ++i) {
    const counter_totals& k = a.cores[i].counters;
    r.by_core.push_back({i, a.cores[i].x, a.cores[i].y,
                         dynamic_of(d(k.synaptic_ops()), d(k.synaptic_updates()), d(k.neuron_updates_active()),
                                    d(k.neuron_updates_idle()), d(k.deliveries()), d(k.hops_east_west()),
                                    d(k.hops_north_south()), d(k.hops_inter_chip())),
                         static_w_per_core * r.seconds_real_time * 1e12});
  }
  for (const activity::population_row& p : a.populations) {
    r.by_population.push_back(
        {p.name,
         dynamic_of(d(p.synaptic_ops), d(p.synaptic_updates), d(p.neuron_updates_active), d(p.neuron_updates_idle),
                    d(p.deliveries), d(p.hops_east_west), d(p.hops_north_south), d(p.hops_inter_chip)),
         static_w_per_core * p.core_share * r.seconds_real_time * 1e12});
  }
  // N·r·k·E_syn.
  r.n = a.emitting_neurons;
  r.e_syn_pj = c.synaptic_op_pj;
  const double packets = d(all.packets_out());
  r.r_hz = r.n > 0 && r.seconds_real_time > 0 ? packets / d(r.n) / r.seconds_real_time : 0;
  r.k = packets > 0 ? d(all.synaptic_ops()) / packets : 0;
  r.synaptic_power_w = d(r.n) * r.r_hz * r.k * r.e_syn_pj * 1e-12;
  // Timing.
  r.mean_step_cycles = a.steps ? a.cycles / d(a.steps) : 0;
  r.max_step_cycles = a.max_step_cycles;
  r.max_step = a.max_step;
  const double dt_s = a.dt_ms * 1e-3;
  const double cycle_s = c.clock_mhz > 0 ? 1.0 / (c.clock_mhz * 1e6) : 0;
  r.real_time_factor_sustained = r.mean_step_cycles > 0 ? dt_s / (r.mean_step_cycles * cycle_s) : 0;
  r.real_time_factor_worst = r.max_step_cycles > 0 ? dt_s / (r.max_step_cycles * cycle_s) : 0;
  r.link_bottleneck_steps = a.link_bottleneck_steps;
  for (std::uint32_t i = 0; i < a.cores.size(); ++i) {
    if (a.cores[i].bottleneck_steps > r.bottleneck_core_steps) {
      r.bottleneck_core_steps = a.cores[i].bottleneck_steps;
      r.bottleneck_core = i;
    }
  }
  return r;
}

json to_json(const energy_report& r) {
  json ops = json::object();
  for (const energy_line& l : r.by_operation) {
    ops[l.name] = l.pj;
  }
  json cores = json::array();
  for (const auto& c : r.by_core) {
    cores.push_back({{"core", c.id}, {"x", c.x}, {"y", c.y}, {"dynamic_pj", c.dynamic_pj},
                     {"static_pj_real_time", c.static_pj_real_time}});
  }
  json pops = json::array();
  for (const auto& p : r.by_population) {
    pops.push_back({{"population", p.name}, {"dynamic_pj", p.dynamic_pj},
                    {"static_pj_real_time", p.static_pj_real_time}});
  }
  return {{"seconds_real_time", r.seconds_real_time},
          {"seconds_fastest", r.seconds_fastest},
          {"dynamic_pj", r.dynamic_pj},
          {"static_pj_real_time", r.static_pj_real_time},
          {"static_pj_fastest", r.static_pj_fastest},
          {"total_pj_real_time", r.total_pj_real_time()},
          {"total_pj_fastest", r.total_pj_fastest()},
          {"power_w_real_time", r.power_w_real_time()},
          {"power_w_fastest", r.power_w_fastest()},
          {"by_operation_pj", ops},
          {"by_core", cores},
          {"by_population", pops},
          {"synaptic_term", {{"N", r.n}, {"r_hz", r.r_hz}, {"k", r.k}, {"E_syn_pj", r.e_syn_pj},
                             {"power_w", r.synaptic_power_w}}},
          {"timing", {{"mean_step_cycles", r.mean_step_cycles},
                      {"max_step_cycles", r.max_step_cycles},
                      {"max_step", r.max_step},
                      {"real_time_factor_sustained", r.real_time_factor_sustained},
                      {"real_time_factor_worst_step", r.real_time_factor_worst},
                      {"link_bottleneck_steps", r.link_bottleneck_steps},
                      {"bottleneck_core", r.bottleneck_core},
                      {"bottleneck_core_steps", r.bottleneck_core_steps}}}};
}

std::string summary(const energy_report& r, const activity& a) {
  std::string s;
  const auto line = [&](const std::string& t) { s += t + "\n"; };
  line("energy and timing (" + with_commas(a.steps) + " steps of " + fmt(a.dt_ms) + " ms on " +
       std::to_string(a.cores.size()) + " cores of " + a.chip.name + ")");
  line("  total at real time     " + energy_text(r.total_pj_real_time()) + " = dynamic " +
       energy_text(r.dynamic_pj) + " + static " + energy_text(r.static_pj_real_time));
  line("  average power          " + power_text(r.power_w_real_time()) + " at real time (" +
       fmt(r.seconds_real_time) + " s), " + power_text(r.power_w_fastest()) + " at the chip's fastest (" +
       fmt(r.seconds_fastest) + " s)");
  line("  synaptic term N*r*k*E_syn = " + with_commas(r.n) + " x " + fmt(r.r_hz) + " Hz x " + fmt(r.k) + " x " +
       fmt(r.e_syn_pj) + " pJ = " + power_text(r.synaptic_power_w));
  line("  by operation:");
  for (const energy_line& l : r.by_operation) {
    if (l.pj == 0) {
      continue;
    }
    const double share = r.dynamic_pj > 0 ? 100.0 * l.pj / r.dynamic_pj : 0;
    char b[160];
    std::snprintf(b, sizeof b, "    %-26s %12s  %5.1f%%", l.name.c_str(), energy_text(l.pj).c_str(), share);
    line(b);
  }
  if (!r.by_population.empty()) {
    line("  by population (dynamic + static at real time):");
    for (const auto& p : r.by_population) {
      char b[200];
      std::snprintf(b, sizeof b, "    %-26s %12s", p.name.c_str(),
                    energy_text(p.dynamic_pj + p.static_pj_real_time).c_str());
      line(b);
    }
  }
  if (!r.by_core.empty()) {
    std::size_t top = 0;
    for (std::size_t i = 1; i < r.by_core.size(); ++i) {
      if (r.by_core[i].dynamic_pj > r.by_core[top].dynamic_pj) {
        top = i;
      }
    }
    line("  most energy on core " + std::to_string(r.by_core[top].id) + " (" + std::to_string(r.by_core[top].x) +
         "," + std::to_string(r.by_core[top].y) + "): " + energy_text(r.by_core[top].dynamic_pj) + " dynamic");
  }
  line("  step time              mean " + fmt(r.mean_step_cycles, "%.1f") + " cycles, longest " +
       fmt(r.max_step_cycles, "%.1f") + " (step " + std::to_string(r.max_step) + ")");
  line("  fastest real-time factor " + fmt(r.real_time_factor_sustained, "%.4g") + "x sustained, " +
       fmt(r.real_time_factor_worst, "%.4g") + "x if every step must fit in dt");
  if (r.bottleneck_core >= 0 || r.link_bottleneck_steps > 0) {
    std::string b = "  bottleneck             ";
    if (r.bottleneck_core >= 0) {
      const auto& c = a.cores[static_cast<std::size_t>(r.bottleneck_core)];
      b += "core " + std::to_string(r.bottleneck_core) + " (" + std::to_string(c.x) + "," + std::to_string(c.y) +
           ") in " + with_commas(r.bottleneck_core_steps) + " steps";
    }
    if (r.link_bottleneck_steps > 0) {
      b += (r.bottleneck_core >= 0 ? "; " : "") + std::string("the network in ") +
           with_commas(r.link_bottleneck_steps) + " steps";
    }
    line(b);
  }
  return s;
}

}  // namespace engram::emulator
