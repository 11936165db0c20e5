#include <engram/emulator/simulation.hpp>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>
#include <thread>

#include <engram/emulator/checkpoint.hpp>

namespace engram::emulator {

simulation::simulation(const isa::chip_image& image, simulation_options options)
    : image_(&image), options_(std::move(options)), mesh_(image), timing_(image.chip, mesh_) {
  if (options_.threads == 0) {
    options_.threads = 1;
  }
  options_.window = std::clamp<std::uint32_t>(options_.window, 1, 2048);
  if (options_.probe_every == 0) {
    options_.probe_every = 1;
  }
  const std::uint32_t n = static_cast<std::uint32_t>(image.cores.size());
  cores_.reserve(n);
  for (std::uint32_t c = 0; c < n; ++c) {
    cores_.push_back(std::make_unique<core>(image.cores[c], c, image.seed));
  }
  consumers_.resize(n);
  for (std::uint32_t c = 0; c < n; ++c) {
    for (const core::source_link& s : cores_[c]->sources()) {
      if (s.src_core < n && s.src_core != c) {
        consumers_[s.src_core].push_back(c);
      }
    }
  }
  probes_of_.resize(n);
  for (const isa::neuron_location& p : options_.probes) {
    if (p.core < n && p.neuron < cores_[p.core]->neuron_count()) {
      probes_of_[p.core].push_back(p.neuron);
    }
  }
  for (auto& v : probes_of_) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  }
  slices_of_.resize(n);
  slice_acc_.resize(n);
  for (std::uint32_t i = 0; i < image.slices.size(); ++i) {
    const isa::image_slice& sl = image.slices[i];
    if (sl.core < n) {
      slices_of_[sl.core].push_back({i, sl.core_neuron, sl.count});
    }
  }
  for (std::uint32_t c = 0; c < n; ++c) {
    std::sort(slices_of_[c].begin(), slices_of_[c].end(),
              [](const core_slice& a, const core_slice& b) { return a.first < b.first; });
    slice_acc_[c].resize(slices_of_[c].size());
  }
  inbox_.resize(n);
  inbox_lock_ = std::make_unique<std::mutex[]>(n);
  outputs_.assign(n, std::vector<core_step>(options_.window));
  arrived_.assign(options_.window, 0);
  done_.assign(n, 0);
  status_.assign(n, status::idle);
  activity_.resize(n);
  step_counters_.resize(n);
  view_cores_.resize(n);
  totals_.per_core.resize(n);
  pending_in_.assign(n, {});
  in_window_blocked_.assign(n, 0);
  horizon_.assign(n, 0);
  reach_begin_.resize(n);
  reach_.resize(n);
  entry_acc_.resize(n);
  for (std::uint32_t c = 0; c < n; ++c) {
    entry_acc_[c].assign(cores_[c]->input_map_size(), 0);
  }
  std::vector<std::pair<std::uint32_t, std::uint32_t>> found;
  for (std::uint32_t c = 0; c < n; ++c) {
    const std::uint32_t neurons = cores_[c]->neuron_count();
    reach_begin_[c].assign(std::size_t{neurons} + 1, 0);
    for (std::uint32_t k = 0; k < neurons; ++k) {
      reach_begin_[c][k] = static_cast<std::uint32_t>(reach_[c].size());
      if (!cores_[c]->emits(k)) {
        continue;
      }
      for (std::uint32_t d : mesh_.tree(c, k).destinations) {
        found.clear();
        cores_[d]->entries_reached(c, k, found);
        for (const auto& [entry, ops] : found) {
          reach_[c].push_back({d, entry, ops});
        }
      }
    }
    reach_begin_[c][neurons] = static_cast<std::uint32_t>(reach_[c].size());
  }
  next_in_.assign(n, {});

  totals_.bottleneck_core_steps.assign(n, 0);
}

simulation::~simulation() = default;

bool simulation::can_run(std::uint32_t c) {
  const std::uint64_t s = done_[c];
  if (s >= target_ || s >= collected_ + options_.window) {
    return false;
  }
  // horizon_[c]: steps below it have every input they need. It only grows
  // (done_ only grows), so a stale value is a safe lower bound.
  if (s + 1 <= horizon_[c]) {
    return true;
  }
  std::uint64_t horizon = UINT64_MAX;
  for (const core::source_link& src : cores_[c]->sources()) {
    if (src.src_core < done_.size() && src.src_core != c) {
      horizon = std::min(horizon, done_[src.src_core] + src.lookahead);
    }
  }
  horizon_[c] = horizon;
  return s + 1 <= horizon;
}

void simulation::consider(std::uint32_t c) {
  if (status_[c] != status::idle) {
    return;
  }
  const std::uint64_t s = done_[c];
  if (s < target_ && s >= collected_ + options_.window) {
    if (!in_window_blocked_[c]) {
      in_window_blocked_[c] = 1;
      window_blocked_.push_back(c);
    }
    return;
  }
  if (can_run(c)) {
    status_[c] = status::queued;
    ready_.push_back(c);
    wake_.notify_one();
  }
}

void simulation::run(std::uint64_t steps, step_observer* observer, const std::atomic<bool>* stop) {
  {
    std::unique_lock lock(lock_);
    observer_ = observer;
    stop_ = stop;
    target_ = collected_ + steps;
    finished_ = collected_ >= target_ || cores_.empty();
    error_ = nullptr;
    ready_.clear();
    for (std::uint32_t c = 0; c < cores_.size(); ++c) {
      status_[c] = status::idle;
      consider(c);
    }
    if (cores_.empty()) {
      collected_ = target_;  // nothing to run: every step is trivially done
    }
  }
  const unsigned helpers = options_.threads - 1;
  std::vector<scratch> scratches(options_.threads);
  for (scratch& s : scratches) {
    s.out.resize(cores_.size());
  }
  {
    std::vector<std::jthread> pool;
    pool.reserve(helpers);
    for (unsigned t = 0; t < helpers; ++t) {
      pool.emplace_back([this, &scratches, t] { worker(scratches[t + 1]); });
    }
    worker(scratches[0]);
  }
  observer_ = nullptr;
  stop_ = nullptr;
  if (error_) {
    std::rethrow_exception(error_);
  }
  drain();
}

void simulation::inject(isa::neuron_location at, std::uint64_t step, std::uint8_t payload) {
  if (at.core >= cores_.size()) {
    throw std::invalid_argument("inject: no core " + std::to_string(at.core));
  }
  if (step < collected_) {
    throw std::invalid_argument("inject: step " + std::to_string(step) + " is before the next step " +
                                std::to_string(collected_));
  }
  cores_[at.core]->inject(at.neuron, step, payload);
}

void simulation::drain() {
  // Every core is at step collected_, and every waiting packet was emitted
  // before it and is within its lookahead.
  for (std::uint32_t c = 0; c < cores_.size(); ++c) {
    std::vector<packet> pending;
    std::swap(pending, inbox_[c]);
    for (const packet& p : pending) {
      if (p.step >= collected_) {
        throw std::logic_error("a packet of step " + std::to_string(p.step) + " waits at a cut at step " +
                               std::to_string(collected_));
      }
      cores_[c]->deliver(p.src_core, p.neuron, p.payload, p.step, collected_);
    }
    cores_[c]->counters() = core_counters{};
  }
}

void simulation::worker(scratch& mine) {
  std::unique_lock lock(lock_);
  for (;;) {
    wake_.wait(lock, [&] { return !ready_.empty() || finished_; });
    if (finished_) {
      return;
    }
    const std::uint32_t c = ready_.front();
    ready_.pop_front();
    if (done_[c] >= target_) {  // queued before a stop moved the target
      status_[c] = status::idle;
      continue;
    }
    status_[c] = status::running;
    const std::uint64_t s = done_[c];
    lock.unlock();
    std::exception_ptr failure;
    try {
      run_core_step(c, s, mine);
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    status_[c] = status::idle;
    if (failure) {
      if (!error_) {
        error_ = failure;
      }
      finished_ = true;
      wake_.notify_all();
      return;
    }
    done_[c] = s + 1;
    ++arrived_[s % options_.window];
    if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) {
      // End at the furthest step any core has reached: the others catch up.
      // (a core still running will finish the step it is on).
      std::uint64_t furthest = collected_;
      for (std::uint32_t k = 0; k < done_.size(); ++k) {
        furthest = std::max(furthest, done_[k] + (status_[k] == status::running ? 1 : 0));
      }
      target_ = std::min(target_, furthest);
    }
    consider(c);
    for (std::uint32_t q : consumers_[c]) {
      consider(q);
    }
    collect(lock);
    if (collected_ >= target_) {
      finished_ = true;
      wake_.notify_all();
      return;
    }
  }
}

// Hands every step all cores have finished to the observer, in order, one
// thread at a time; the lock is released while the observer runs (the cores
// cannot touch a step's outputs until it is collected: the window bars them).
void simulation::collect(std::unique_lock<std::mutex>& lock) {
  if (collecting_) {
    return;
  }
  collecting_ = true;
  const std::uint32_t n = static_cast<std::uint32_t>(cores_.size());
  while (collected_ < target_ && arrived_[collected_ % options_.window] == n) {
    const std::uint64_t s = collected_;
    const std::uint32_t slot = static_cast<std::uint32_t>(s % options_.window);
    lock.unlock();
    std::exception_ptr failure;
    try {
      // Packets and synaptic operations are counted in the step after the
      // emission, whenever the scheduler actually delivered them.
      std::fill(next_in_.begin(), next_in_.end(), incoming{});
      next_entries_.clear();
      for (const reach& r : pending_entries_) {
        entry_acc_[r.core][r.entry] += r.synaptic_ops;
      }
      for (std::uint32_t c = 0; c < n; ++c) {
        std::swap(view_cores_[c], outputs_[c][slot]);
        for (std::uint32_t e : view_cores_[c].emitted) {
          std::uint32_t last_core = UINT32_MAX;
          for (std::uint32_t r = reach_begin_[c][e]; r < reach_begin_[c][e + 1]; ++r) {
            const reach& row = reach_[c][r];
            if (row.core != last_core) {
              ++next_in_[row.core].packets;  // one packet per core, whatever its entries
              last_core = row.core;
            }
            next_in_[row.core].synaptic_ops += row.synaptic_ops;
            next_entries_.push_back(row);
          }
        }
        view_cores_[c].counters.packets_in = pending_in_[c].packets;
        view_cores_[c].counters.synaptic_ops = pending_in_[c].synaptic_ops;
        step_counters_[c] = view_cores_[c].counters;
        activity_[c].counters = &step_counters_[c];
        activity_[c].neuron_count = cores_[c]->neuron_count();
        activity_[c].emitted = view_cores_[c].emitted;
      }
      step_view view;
      view.step = s;
      view.timing = timing_.evaluate(activity_, step_counters_);
      for (std::uint32_t c = 0; c < n; ++c) {
        view_cores_[c].counters = step_counters_[c];
        totals_.per_core[c].add(step_counters_[c]);
      }
      totals_.cycles += view.timing.cycles;
      if (view.timing.cycles > totals_.max_step_cycles || totals_.steps == 0) {
        totals_.max_step_cycles = view.timing.cycles;
        totals_.max_step = s;
      }
      if (view.timing.bottleneck == bottleneck_kind::core) {
        ++totals_.bottleneck_core_steps[view.timing.bottleneck_id];
      } else if (view.timing.bottleneck == bottleneck_kind::link) {
        ++totals_.link_bottleneck_steps;
      }
      ++totals_.steps;
      std::swap(pending_in_, next_in_);
      std::swap(pending_entries_, next_entries_);
      view.cores = view_cores_;
      if (observer_ != nullptr) {
        observer_->on_step(view);
      }
      for (std::uint32_t c = 0; c < n; ++c) {
        std::swap(view_cores_[c], outputs_[c][slot]);
      }
    } catch (...) {
      failure = std::current_exception();
    }
    lock.lock();
    if (failure) {
      if (!error_) {
        error_ = failure;
      }
      finished_ = true;
      collecting_ = false;
      wake_.notify_all();
      return;
    }
    arrived_[slot] = 0;
    ++collected_;
    // The window moved on: cores it held back may run.
    std::vector<std::uint32_t> blocked;
    std::swap(blocked, window_blocked_);
    for (std::uint32_t c : blocked) {
      in_window_blocked_[c] = 0;
      consider(c);
    }
  }
  collecting_ = false;
}

void simulation::run_core_step(std::uint32_t c, std::uint64_t s, scratch& mine) {
  core& k = *cores_[c];
  // Phase 1: the packets of earlier steps that have arrived.
  mine.in.clear();
  {
    std::lock_guard guard(inbox_lock_[c]);
    std::swap(mine.in, inbox_[c]);
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < mine.in.size(); ++i) {
    const packet& p = mine.in[i];
    if (p.step < s) {
      k.deliver(p.src_core, p.neuron, p.payload, p.step, s);
    } else {
      mine.in[kept++] = p;  // from a source that has run ahead
    }
  }
  if (kept != 0) {
    std::lock_guard guard(inbox_lock_[c]);
    inbox_[c].insert(inbox_[c].end(), mine.in.begin(), mine.in.begin() + static_cast<std::ptrdiff_t>(kept));
  }
  // Phases 2 to 5.
  k.update(s);
  core_step& out = outputs_[c][s % options_.window];
  out.spiked = k.spiked();
  out.payloads = k.spiked_payloads();
  out.emitted.clear();
  out.probes.clear();
  core_counters& counters = k.counters();
  const std::vector<std::uint32_t>& spiked = k.spiked();
  const std::vector<std::uint8_t>& payloads = k.spiked_payloads();
  for (std::size_t i = 0; i < spiked.size(); ++i) {
    const std::uint32_t n = spiked[i];
    if (!k.emits(n)) {
      continue;
    }
    out.emitted.push_back(n);
    const route_tree& t = mesh_.tree(c, n);
    ++counters.packets_out;
    counters.deliveries += static_cast<std::uint32_t>(t.arrivals.size());
    counters.hops_east_west += t.hops_east_west;
    counters.hops_north_south += t.hops_north_south;
    counters.hops_inter_chip += t.hops_inter_chip;
    for (std::uint32_t d : t.destinations) {
      if (mine.out[d].empty()) {
        mine.touched.push_back(d);
      }
      mine.out[d].push_back({s, c, static_cast<std::uint16_t>(n), payloads[i]});
    }
  }
  for (std::uint32_t d : mine.touched) {
    {
      std::lock_guard guard(inbox_lock_[d]);
      inbox_[d].insert(inbox_[d].end(), mine.out[d].begin(), mine.out[d].end());
    }
    mine.out[d].clear();
  }
  mine.touched.clear();
  // Activity by slice (population), for the energy breakdown.
  std::vector<slice_totals>& acc = slice_acc_[c];
  const std::vector<core_slice>& slices = slices_of_[c];
  for (std::size_t j = 0; j < slices.size(); ++j) {
    const core_slice& sl = slices[j];
    for (std::uint32_t n = sl.first; n < sl.first + sl.count && n < k.neuron_count(); ++n) {
      if (k.kind(n) == isa::neuron_kind::lif) {
        if (k.last_update_active(n)) {
          ++acc[j].neuron_updates_active;
        } else {
          ++acc[j].neuron_updates_idle;
        }
      }
    }
  }
  if (!slices.empty()) {
    std::size_t j = 0;
    for (std::uint32_t n : spiked) {
      while (j + 1 < slices.size() && slices[j + 1].first <= n) {
        ++j;
      }
      if (n < slices[j].first || n >= slices[j].first + slices[j].count) {
        continue;
      }
      ++acc[j].spikes;
      if (k.emits(n)) {
        const route_tree& t = mesh_.tree(c, n);
        ++acc[j].packets_out;
        acc[j].deliveries += t.arrivals.size();
        acc[j].hops_east_west += t.hops_east_west;
        acc[j].hops_north_south += t.hops_north_south;
        acc[j].hops_inter_chip += t.hops_inter_chip;
      }
    }
  }
  if (!probes_of_[c].empty() && s % options_.probe_every == 0) {
    for (std::uint32_t n : probes_of_[c]) {
      out.probes.push_back({n, k.neuron(n)});
    }
  }
  out.counters = counters;
  out.counters.packets_in = 0;  // the collector counts these (deterministically)
  out.counters.synaptic_ops = 0;
  counters = core_counters{};
}

std::vector<slice_totals> simulation::slice_activity() const {
  std::vector<slice_totals> out(image_->slices.size());
  for (std::uint32_t c = 0; c < cores_.size(); ++c) {
    for (std::size_t j = 0; j < slices_of_[c].size(); ++j) {
      out[slices_of_[c][j].slice] = slice_acc_[c][j];
    }
  }
  return out;
}

// --- Checkpoints ------------------------------------------------------------------

std::uint32_t simulation::image_fingerprint() const {
  return isa::crc32(isa::serialize_image(*image_));
}

std::vector<std::uint8_t> simulation::checkpoint() {
  drain();
  state_writer w;
  w.section("simu", 0);
  w.u64(collected_);
  w.u32(static_cast<std::uint32_t>(cores_.size()));
  for (const auto& c : cores_) {
    c->save(w);
  }
  // Packets in flight: emitted, not yet delivered; sorted so that the bytes
  // do not depend on the order threads pushed them.
  for (std::uint32_t c = 0; c < cores_.size(); ++c) {
    std::vector<packet> pending = inbox_[c];
    std::sort(pending.begin(), pending.end(), [](const packet& a, const packet& b) {
      return a.step != b.step ? a.step < b.step : a.src_core != b.src_core ? a.src_core < b.src_core
                                                                            : a.neuron < b.neuron;
    });
    w.section("inbx", c);
    w.u64(pending.size());
    for (const packet& p : pending) {
      w.u64(p.step);
      w.u32(p.src_core);
      w.u32(p.neuron);
      w.u32(p.payload);
    }
  }
  w.section("totl", 0);
  w.u64(totals_.steps);
  w.u64(std::bit_cast<std::uint64_t>(totals_.cycles));
  w.u64(std::bit_cast<std::uint64_t>(totals_.max_step_cycles));
  w.u64(totals_.max_step);
  w.u64(totals_.link_bottleneck_steps);
  for (std::uint32_t c = 0; c < cores_.size(); ++c) {
    for (std::uint64_t v : totals_.per_core[c].values) {
      w.u64(v);
    }
    w.u64(totals_.bottleneck_core_steps[c]);
    w.array(slice_acc_[c]);
    w.u32(pending_in_[c].packets);
    w.u32(pending_in_[c].synaptic_ops);
    w.array(entry_acc_[c]);
  }
  w.u64(pending_entries_.size());
  for (const reach& r : pending_entries_) {
    w.u32(r.core);
    w.u32(r.entry);
    w.u32(r.synaptic_ops);
  }
  return frame_checkpoint(w.bytes(), image_fingerprint());
}

void simulation::restore(std::span<const std::uint8_t> file_bytes, const std::string& source) {
  const std::span<const std::uint8_t> payload = unframe_checkpoint(file_bytes, image_fingerprint(), source);
  state_reader r(payload, source, checkpoint_header_size);
  r.section("simu", 0);
  const std::uint64_t step = r.u64();
  r.expect_u32("core count", static_cast<std::uint32_t>(cores_.size()));
  for (auto& c : cores_) {
    c->load(r);
    if (c->step() != step) {
      r.fail("core " + std::to_string(c->id()) + " is at step " + std::to_string(c->step()) +
             ", the checkpoint at step " + std::to_string(step));
    }
  }
  std::vector<std::vector<packet>> inboxes(cores_.size());
  for (std::uint32_t c = 0; c < cores_.size(); ++c) {
    r.section("inbx", c);
    const std::uint64_t count = r.u64();
    if (count > r.remaining() / 20) {
      r.fail("core " + std::to_string(c) + " has " + std::to_string(count) + " packets in flight, more than fit");
    }
    for (std::uint64_t i = 0; i < count; ++i) {
      packet p{};
      p.step = r.u64();
      p.src_core = r.u32();
      p.neuron = static_cast<std::uint16_t>(r.u32());
      p.payload = static_cast<std::uint8_t>(r.u32());
      if (p.step >= step || p.src_core >= cores_.size()) {
        r.fail("a packet in flight to core " + std::to_string(c) + " is not from an earlier step of a core");
      }
      inboxes[c].push_back(p);
    }
  }
  run_totals totals;
  totals.per_core.resize(cores_.size());
  totals.bottleneck_core_steps.resize(cores_.size());
  r.section("totl", 0);
  totals.steps = r.u64();
  totals.cycles = std::bit_cast<double>(r.u64());
  totals.max_step_cycles = std::bit_cast<double>(r.u64());
  totals.max_step = r.u64();
  totals.link_bottleneck_steps = r.u64();
  std::vector<std::vector<slice_totals>> slice_acc(cores_.size());
  std::vector<incoming> pending(cores_.size());
  std::vector<std::vector<std::uint64_t>> entry_acc(cores_.size());
  for (std::uint32_t c = 0; c < cores_.size(); ++c) {
    for (std::uint64_t& v : totals.per_core[c].values) {
      v = r.u64();
    }
    totals.bottleneck_core_steps[c] = r.u64();
    slice_acc[c].resize(slices_of_[c].size());
    r.array(slice_acc[c]);
    pending[c].packets = r.u32();
    pending[c].synaptic_ops = r.u32();
    entry_acc[c].assign(entry_acc_[c].size(), 0);
    r.array(entry_acc[c]);
  }
  const std::uint64_t rows = r.u64();
  if (rows > r.remaining() / 12) {
    r.fail(std::to_string(rows) + " pending synaptic rows, more than the bytes left hold");
  }
  std::vector<reach> pending_entries(rows);
  for (reach& row : pending_entries) {
    row.core = r.u32();
    row.entry = r.u32();
    row.synaptic_ops = r.u32();
    if (row.core >= cores_.size() || row.entry >= entry_acc_[row.core].size()) {
      r.fail("a pending synaptic row names core " + std::to_string(row.core) + " entry " +
             std::to_string(row.entry) + ", which the image does not have");
    }
  }
  if (r.remaining() != 0) {
    r.fail(std::to_string(r.remaining()) + " bytes after the end of the state");
  }
  inbox_ = std::move(inboxes);
  totals_ = std::move(totals);
  slice_acc_ = std::move(slice_acc);
  pending_in_ = std::move(pending);
  entry_acc_ = std::move(entry_acc);
  pending_entries_ = std::move(pending_entries);
  collected_ = step;
  std::fill(done_.begin(), done_.end(), step);
  std::fill(horizon_.begin(), horizon_.end(), 0);
  std::fill(arrived_.begin(), arrived_.end(), 0u);
}

}  // namespace engram::emulator
