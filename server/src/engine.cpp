#include <engram/server/engine.hpp>

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include <engram/common/atomic_file.hpp>
#include <engram/common/error.hpp>

namespace engram::server {

namespace {

using nlohmann::json;
using clock_type = std::chrono::steady_clock;

json reply_head(command_kind kind, const std::string& id) {
  json j;
  j["ok"] = true;
  j["cmd"] = std::string(to_string(kind));
  if (!id.empty()) {
    j["id"] = json::parse(id, nullptr, false);
  }
  return j;
}

std::string line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

bool injectable(isa::neuron_kind kind) {
  return kind == isa::neuron_kind::spike_array || kind == isa::neuron_kind::modulator;
}

}  // namespace

// Turns each finished step's spikes into frames for the subscribers.
class engine::observer : public emulator::step_observer {
 public:
  observer(engine& e, engine_sink& sink) : engine_(e), sink_(sink) {
    const isa::chip_image& image = *e.image_;
    population_of_.resize(image.cores.size());
    index_of_.resize(image.cores.size());
    for (std::size_t c = 0; c < image.cores.size(); ++c) {
      population_of_[c].assign(image.cores[c].neuron_count(), 0xffff);
      index_of_[c].assign(image.cores[c].neuron_count(), 0);
    }
    for (const isa::image_slice& s : image.slices) {
      for (std::uint32_t k = 0; k < s.count; ++k) {
        if (s.population < 0xffff) {
          population_of_[s.core][s.core_neuron + k] = static_cast<std::uint16_t>(s.population);
          index_of_[s.core][s.core_neuron + k] = s.first + k;
        }
      }
    }
  }

  void on_step(const emulator::step_view& step) override {
    if (engine_.subscribers_.empty()) {
      return;
    }
    spikes_.clear();
    for (std::uint32_t c = 0; c < step.cores.size(); ++c) {
      const emulator::core_step& cs = step.cores[c];
      for (std::size_t k = 0; k < cs.spiked.size(); ++k) {
        const std::uint32_t n = cs.spiked[k];
        const std::uint16_t p = population_of_[c][n];
        if (p != 0xffff) {
          spikes_.push_back({p, cs.payloads[k], index_of_[c][n]});
        }
      }
    }
    if (spikes_.empty()) {
      return;
    }
    std::sort(spikes_.begin(), spikes_.end(), [](const event& a, const event& b) {
      return a.population != b.population ? a.population < b.population : a.neuron < b.neuron;
    });
    const std::size_t cap = frame_limits_.max_frame_events;
    for (const auto& [client, sub] : engine_.subscribers_) {
      mine_.clear();
      for (const event& e : spikes_) {
        if (e.population < sub.populations.size() && sub.populations[e.population] != 0) {
          mine_.push_back(e);
        }
      }
      for (std::size_t first = 0; first < mine_.size(); first += cap) {
        const std::size_t n = std::min(cap, mine_.size() - first);
        auto bytes = std::make_shared<std::vector<std::uint8_t>>();
        append_frame(*bytes, frame_type::spikes, step.step, std::span<const event>(mine_.data() + first, n));
        engine_.counters_->spikes_streamed += n;
        sink_.frame(client, std::move(bytes), sub.udp_port);
      }
    }
  }

 private:
  engine& engine_;
  engine_sink& sink_;
  limits frame_limits_;
  std::vector<std::vector<std::uint16_t>> population_of_;
  std::vector<std::vector<std::uint32_t>> index_of_;
  std::vector<event> spikes_, mine_;
};

engine::engine(const isa::chip_image& image, emulator::simulation_options sim_options, engine_options options,
               server_counters& counters)
    : image_(&image), options_(std::move(options)), counters_(&counters),
      sim_(std::make_unique<emulator::simulation>(image, std::move(sim_options))) {
  for (const isa::image_population& p : image.populations) {
    populations_.push_back({p.name, p.size, p.kind});
  }
}

engine::~engine() = default;

void engine::restore(std::span<const std::uint8_t> bytes, const std::string& source) {
  sim_->restore(bytes, source);
}

std::optional<protocol_error> engine::validate(const event_frame& frame) const {
  if (frame.type != frame_type::inject) {
    return protocol_error{error_code::bad_frame, "clients send inject frames (type 1), found type " +
                                                     std::to_string(static_cast<int>(frame.type))};
  }
  for (std::size_t k = 0; k < frame.events.size(); ++k) {
    const event& e = frame.events[k];
    const std::string where = "event " + std::to_string(k) + " of the frame for step " + std::to_string(frame.step);
    if (e.population >= populations_.size()) {
      return protocol_error{error_code::unknown_population, where + ": no population " + std::to_string(e.population) +
                                                                " (the network has " +
                                                                std::to_string(populations_.size()) + ")"};
    }
    const population_info& p = populations_[e.population];
    if (!injectable(p.kind)) {
      return protocol_error{error_code::not_an_input, where + ": population \"" + p.name +
                                                          "\" is not a SpikeSourceArray or Modulator"};
    }
    if (e.neuron >= p.size) {
      return protocol_error{error_code::neuron_out_of_range, where + ": neuron " + std::to_string(e.neuron) +
                                                                 " is outside \"" + p.name + "\" (size " +
                                                                 std::to_string(p.size) + ")"};
    }
  }
  return std::nullopt;
}

std::optional<protocol_error> engine::submit(std::uint64_t client, event_frame frame) {
  const std::size_t n = frame.events.size();
  {
    std::lock_guard guard(lock_);
    if (stop_.load()) {
      return protocol_error{error_code::shutting_down, "the server is stopping"};
    }
    if (queued_events_ + n > options_.max_queued_events) {
      counters_->events_dropped += n;
      return protocol_error{error_code::queue_full, "the event queue holds " + std::to_string(queued_events_) +
                                                        " events (at most " +
                                                        std::to_string(options_.max_queued_events) +
                                                        "): the frame for step " + std::to_string(frame.step) +
                                                        " was dropped"};
    }
    queued_events_ += n;
    queue_.push_back({client, std::move(frame)});
  }
  counters_->events_received += n;
  wake_.notify_one();
  return std::nullopt;
}

std::optional<protocol_error> engine::submit(std::uint64_t client, command c) {
  {
    std::lock_guard guard(lock_);
    if (stop_.load() && c.kind != command_kind::status && c.kind != command_kind::counters) {
      return protocol_error{error_code::shutting_down, "the server is stopping"};
    }
    if (queued_commands_ >= options_.max_queued_commands) {
      return protocol_error{error_code::busy, std::to_string(queued_commands_) + " commands are waiting (at most " +
                                                  std::to_string(options_.max_queued_commands) + ")"};
    }
    ++queued_commands_;
    queue_.push_back({client, std::move(c)});
  }
  wake_.notify_one();
  return std::nullopt;
}

void engine::disconnect(std::uint64_t client) {
  {
    std::lock_guard guard(lock_);
    gone_.push_back(client);
  }
  wake_.notify_one();
}

void engine::request_stop() {
  {
    std::lock_guard guard(lock_);
    stop_.store(true);
  }
  wake_.notify_one();
}

void engine::run(engine_sink& sink) {
  observer obs(*this, sink);
  observer_ = &obs;
  const auto dt = std::chrono::duration<double, std::milli>(image_->dt_ms);
  std::vector<pending_run> stoppers;
  for (;;) {
    std::deque<queued> items;
    std::vector<std::uint64_t> gone;
    {
      std::unique_lock lk(lock_);
      const auto ready = [&] { return stop_.load() || !queue_.empty() || !gone_.empty(); };
      if (!running_) {
        wake_.wait(lk, ready);
      } else if (options_.real_time) {
        const auto due = epoch_ + std::chrono::duration_cast<clock_type::duration>(
                                      dt * static_cast<double>(sim_->step() - epoch_step_));
        wake_.wait_until(lk, due, ready);
      }
      items.swap(queue_);
      gone.swap(gone_);
      for (const queued& q : items) {
        if (std::holds_alternative<command>(q.what)) {
          --queued_commands_;
        }
      }
    }
    for (const std::uint64_t c : gone) {
      subscribers_.erase(c);
      std::erase_if(runs_, [c](const pending_run& r) { return r.client == c; });
    }
    for (queued& q : items) {
      if (auto* c = std::get_if<command>(&q.what); c != nullptr && c->kind == command_kind::stop) {
        stoppers.push_back({q.client, c->id});
        stop_.store(true);
        continue;
      }
      handle(sink, q);
    }
    if (stop_.load()) {
      break;
    }
    if (!running_) {
      continue;
    }
    if (options_.real_time) {
      const auto now = clock_type::now();
      const auto due = epoch_ + std::chrono::duration_cast<clock_type::duration>(
                                    dt * static_cast<double>(sim_->step() - epoch_step_));
      if (now < due) {
        continue;
      }
      lag_ms_ = std::chrono::duration<double, std::milli>(now - due).count();
      max_lag_ms_ = std::max(max_lag_ms_, lag_ms_);
    }
    step_once(sink);
  }
  finish_runs(sink, true);
  std::string error;
  const bool wrote = !options_.checkpoint_file.empty() && write_checkpoint(error);
  for (const pending_run& s : stoppers) {
    json j = reply_head(command_kind::stop, s.id);
    j["step"] = sim_->step();
    if (wrote) {
      j["checkpoint"] = options_.checkpoint_file.string();
    } else if (!error.empty()) {
      j["checkpoint_error"] = error;
    }
    sink.reply(s.client, line(j), true);
  }
  observer_ = nullptr;
  sink.stopped();
}

void engine::handle(engine_sink& sink, queued& item) {
  if (auto* c = std::get_if<command>(&item.what)) {
    ++counters_->commands;
    execute(sink, item.client, *c);
    return;
  }
  event_frame& f = std::get<event_frame>(item.what);
  const std::uint64_t now = sim_->step();
  const std::size_t n = f.events.size();
  if (f.step > now + options_.max_steps_ahead) {
    counters_->events_rejected += n;
    {
      std::lock_guard guard(lock_);
      queued_events_ -= n;
    }
    sink.reply(item.client, error_reply({error_code::bad_argument,
                                         "frame for step " + std::to_string(f.step) + " is more than " +
                                             std::to_string(options_.max_steps_ahead) +
                                             " steps ahead of step " + std::to_string(now)}), false);
    return;
  }
  std::uint64_t at = f.step;
  if (at < now) {
    counters_->events_late += n;  // late: applied at the next step
    at = now;
  }
  std::vector<event>& slot = pending_[at];
  slot.insert(slot.end(), f.events.begin(), f.events.end());
}

void engine::finish_runs(engine_sink& sink, bool paused) {
  for (const pending_run& r : runs_) {
    json j = reply_head(command_kind::run, r.id);
    j["step"] = sim_->step();
    if (paused) {
      j["paused"] = true;
    }
    sink.reply(r.client, line(j), true);
  }
  runs_.clear();
}

void engine::execute(engine_sink& sink, std::uint64_t client, command& c) {
  const auto start_running = [&] {
    if (!running_) {
      running_ = true;
      epoch_ = clock_type::now();
      epoch_step_ = sim_->step();
    }
  };
  json j = reply_head(c.kind, c.id);
  switch (c.kind) {
    case command_kind::run:
    case command_kind::step: {
      const std::uint64_t steps = c.kind == command_kind::step ? 1 : c.steps.value_or(0);
      if (steps == 0) {  // continuous
        finish_runs(sink, false);
        target_.reset();
        start_running();
        j["step"] = sim_->step();
        j["continuous"] = true;
        break;
      }
      target_ = sim_->step() + steps;
      start_running();
      runs_.push_back({client, c.id});
      return;  // replied when the target step is reached
    }
    case command_kind::pause:
      running_ = false;
      target_.reset();
      finish_runs(sink, true);
      j["step"] = sim_->step();
      break;
    case command_kind::status:
      j.update(json::parse(status_json()));
      break;
    case command_kind::counters:
      j.update(json::parse(counters_json()));
      break;
    case command_kind::reward: {
      const auto it = std::find_if(populations_.begin(), populations_.end(),
                                   [&](const population_info& p) { return p.name == c.population; });
      if (it == populations_.end() || it->kind != isa::neuron_kind::modulator) {
        sink.reply(client, error_reply({it == populations_.end() ? error_code::unknown_population : error_code::not_an_input,
                                        "\"population\": \"" + c.population + "\" is not a Modulator population"},
                                       c.id), true);
        return;
      }
      std::uint64_t at = c.at.value_or(sim_->step());
      if (at < sim_->step()) {
        ++counters_->events_late;
        at = sim_->step();
      }
      if (at > sim_->step() + options_.max_steps_ahead) {
        sink.reply(client, error_reply({error_code::bad_argument, "\"step\": more than " +
                                                                     std::to_string(options_.max_steps_ahead) +
                                                                     " steps ahead"},
                                       c.id), true);
        return;
      }
      {
        std::lock_guard guard(lock_);
        ++queued_events_;
      }
      ++counters_->events_received;
      pending_[at].push_back({static_cast<std::uint16_t>(it - populations_.begin()), c.payload, 0});
      j["step"] = at;
      j["payload"] = c.payload;
      break;
    }
    case command_kind::checkpoint: {
      if (options_.checkpoint_file.empty()) {
        sink.reply(client, error_reply({error_code::no_checkpoint_file,
                                        "the server was started without --checkpoint FILE"},
                                       c.id), true);
        return;
      }
      std::string error;
      if (!write_checkpoint(error)) {
        sink.reply(client, error_reply({error_code::bad_argument, error}, c.id), true);
        return;
      }
      j["step"] = sim_->step();
      j["checkpoint"] = options_.checkpoint_file.string();
      break;
    }
    case command_kind::subscribe: {
      subscription sub;
      sub.populations.assign(populations_.size(), c.populations.empty() ? 1 : 0);
      for (const std::string& name : c.populations) {
        const auto it = std::find_if(populations_.begin(), populations_.end(),
                                     [&](const population_info& p) { return p.name == name; });
        if (it == populations_.end()) {
          sink.reply(client, error_reply({error_code::unknown_population,
                                          "\"populations\": no population \"" + name + "\""},
                                         c.id), true);
          return;
        }
        sub.populations[static_cast<std::size_t>(it - populations_.begin())] = 1;
      }
      sub.udp_port = c.udp_port;
      json list = json::array();
      for (std::size_t p = 0; p < populations_.size(); ++p) {
        if (sub.populations[p] != 0) {
          list.push_back(populations_[p].name);
        }
      }
      subscribers_[client] = std::move(sub);
      j["populations"] = list;
      j["step"] = sim_->step();
      break;
    }
    case command_kind::stop:
      break;  // handled by run()
  }
  sink.reply(client, line(j), true);
}

void engine::step_once(engine_sink& sink) {
  const std::uint64_t now = sim_->step();
  std::uint64_t steps = 1;
  if (!options_.real_time && options_.batch > 1) {
    steps = options_.batch;
    if (!pending_.empty() && pending_.begin()->first > now) {
      steps = std::min(steps, pending_.begin()->first - now);
    }
  }
  if (target_) {
    steps = std::min(steps, *target_ - now);
  }
  std::size_t applied = 0;
  while (!pending_.empty() && pending_.begin()->first <= now) {
    for (const event& e : pending_.begin()->second) {
      if (const auto at = isa::locate_neuron(*image_, e.population, e.neuron)) {
        sim_->inject(*at, now, e.payload);
      }
      ++applied;
    }
    pending_.erase(pending_.begin());
  }
  if (applied != 0) {
    counters_->events_injected += applied;
    std::lock_guard guard(lock_);
    queued_events_ -= applied;
  }
  sim_->run(steps, observer_);
  if (target_ && sim_->step() >= *target_) {
    running_ = false;
    target_.reset();
    finish_runs(sink, false);
  }
}

std::string engine::status_json() const {
  json j;
  j["protocol"] = protocol_version;
  j["network"] = image_->network_name;
  j["dt_ms"] = image_->dt_ms;
  j["step"] = sim_->step();
  j["running"] = running_;
  j["mode"] = !running_ ? "paused" : target_ ? "steps" : "continuous";
  j["until"] = target_ ? json(*target_) : json();
  j["real_time"] = options_.real_time;
  j["lag_ms"] = lag_ms_;
  j["max_lag_ms"] = max_lag_ms_;
  json pops = json::array();
  for (std::size_t p = 0; p < populations_.size(); ++p) {
    pops.push_back({{"index", p},
                    {"name", populations_[p].name},
                    {"size", populations_[p].size},
                    {"kind", std::string(isa::to_string(populations_[p].kind))},
                    {"input", injectable(populations_[p].kind)}});
  }
  j["populations"] = pops;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string engine::counters_json() const {
  const server_counters& c = *counters_;
  json j;
  j["step"] = sim_->step();
  j["events_received"] = c.events_received.load();
  j["events_injected"] = c.events_injected.load();
  j["events_late"] = c.events_late.load();
  j["events_dropped"] = c.events_dropped.load();
  j["events_rejected"] = c.events_rejected.load();
  j["commands"] = c.commands.load();
  j["malformed"] = c.malformed.load();
  j["spikes_streamed"] = c.spikes_streamed.load();
  j["frames_dropped"] = c.frames_dropped.load();
  j["replies_dropped"] = c.replies_dropped.load();
  j["connections_accepted"] = c.connections_accepted.load();
  j["connections_rejected"] = c.connections_rejected.load();
  j["connections_open"] = c.connections_open.load();
  j["timeouts"] = c.timeouts.load();
  j["datagrams"] = c.datagrams.load();
  j["datagrams_malformed"] = c.datagrams_malformed.load();
  {
    std::lock_guard guard(lock_);
    j["events_queued"] = queued_events_;
  }
  j["lag_ms"] = lag_ms_;
  j["max_lag_ms"] = max_lag_ms_;
  return j.dump();
}

bool engine::write_checkpoint(std::string& error) {
  try {
    const std::vector<std::uint8_t> bytes = sim_->checkpoint();
    write_file_atomic(options_.checkpoint_file, bytes, "checkpoint");
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

}  // namespace engram::server
