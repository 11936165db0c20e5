// The scheduler: asynchronous, multi-threaded execution gives the lock-step
// result bit for bit (spikes, states, counters) for any thread count and
// window; checkpoints resume to exactly the bits of an uninterrupted run.

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/checkpoint.hpp>
#include <engram/emulator/simulation.hpp>

#include "sim_fixtures.hpp"

namespace {

using namespace engram;
using engram::test::busy_network;
using engram::test::compile_json;
using engram::test::run_lock_step;
using engram::test::small_chip;
using engram::test::spike_collector;

std::size_t total_spikes(const std::vector<std::vector<std::vector<std::uint32_t>>>& s) {
  std::size_t n = 0;
  for (const auto& step : s) {
    for (const auto& core : step) {
      n += core.size();
    }
  }
  return n;
}

}  // namespace

TEST(simulation, random_networks_match_the_lock_step_reference_for_any_threads_and_window) {
  std::mt19937 rng(4242);
  int checked = 0;
  std::size_t spikes_seen = 0;
  std::size_t multi_core = 0;
  for (int trial = 0; trial < 40; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial));
    const auto net = busy_network(rng, trial);
    const auto chip = small_chip(rng);
    isa::chip_image image;
    try {
      image = compile_json(net, chip);
    } catch (const engram::user_error&) {
      continue;  // does not fit this random chip
    }
    constexpr std::uint64_t steps = 120;
    const auto reference = run_lock_step(image, steps);
    spikes_seen += total_spikes(reference.spikes);
    multi_core += image.cores.size() > 1 ? 1 : 0;
    std::vector<emulator::core_counters> first_counters;
    std::vector<std::uint8_t> first_checkpoint;
    for (unsigned threads : {1u, 2u, 4u, 8u}) {
      for (std::uint32_t window : {1u, 3u, 64u}) {
        SCOPED_TRACE("threads " + std::to_string(threads) + " window " + std::to_string(window));
        emulator::simulation_options options;
        options.threads = threads;
        options.window = window;
        emulator::simulation sim(image, options);
        spike_collector seen;
        sim.run(steps, &seen);
        ASSERT_EQ(sim.step(), steps);
        ASSERT_EQ(seen.spikes, reference.spikes);
        ASSERT_EQ(engram::test::states_of(sim), reference.states);
        if (first_counters.empty()) {
          first_counters = seen.counters;
          first_checkpoint = sim.checkpoint();
        } else {
          ASSERT_EQ(seen.counters, first_counters);
          ASSERT_EQ(sim.checkpoint(), first_checkpoint);  // the whole state, packets in flight included
        }
      }
    }
    ++checked;
  }
  EXPECT_GE(checked, 20);
  EXPECT_GE(multi_core, 10u);
  EXPECT_GT(spikes_seen, 10000u);  // the networks are busy enough to mean something
}

TEST(simulation, running_in_pieces_equals_running_at_once) {
  std::mt19937 rng(7);
  const auto image = compile_json(busy_network(rng, 3), small_chip(rng));
  emulator::simulation whole(image, {});
  spike_collector a;
  whole.run(90, &a);
  emulator::simulation_options options;
  options.threads = 3;
  emulator::simulation pieces(image, options);
  spike_collector b;
  for (std::uint64_t n : {1u, 0u, 17u, 40u, 32u}) {
    pieces.run(n, &b);
  }
  EXPECT_EQ(pieces.step(), 90u);
  EXPECT_EQ(a.spikes, b.spikes);
  EXPECT_EQ(engram::test::states_of(whole), engram::test::states_of(pieces));
}

TEST(simulation, checkpoint_and_resume_give_the_bits_of_an_uninterrupted_run) {
  std::mt19937 rng(99);
  const auto image = compile_json(busy_network(rng, 11), small_chip(rng));
  emulator::simulation_options options;
  options.threads = 2;
  options.window = 5;  // packets from cores that ran ahead are in flight at the checkpoint
  emulator::simulation uninterrupted(image, options);
  spike_collector all;
  uninterrupted.run(200, &all);

  emulator::simulation first(image, options);
  spike_collector head;
  first.run(77, &head);
  const std::vector<std::uint8_t> bytes = first.checkpoint();
  EXPECT_EQ(bytes, first.checkpoint());  // taking it changes nothing and gives the same bytes

  emulator::simulation resumed(image, options);
  resumed.restore(bytes, "test.engck");
  EXPECT_EQ(resumed.step(), 77u);
  spike_collector tail;
  tail.first = 77;
  resumed.run(123, &tail);

  auto joined = head.spikes;
  joined.insert(joined.end(), tail.spikes.begin(), tail.spikes.end());
  EXPECT_EQ(joined, all.spikes);
  EXPECT_EQ(engram::test::states_of(resumed), engram::test::states_of(uninterrupted));
  EXPECT_EQ(resumed.totals().per_core, uninterrupted.totals().per_core);
  EXPECT_EQ(resumed.slice_activity(), uninterrupted.slice_activity());
  EXPECT_EQ(resumed.checkpoint(), uninterrupted.checkpoint());
}

TEST(simulation, a_checkpoint_of_another_image_or_a_damaged_one_is_refused) {
  std::mt19937 rng(5);
  const auto image = compile_json(busy_network(rng, 1), small_chip(rng));
  const auto other = compile_json(busy_network(rng, 2), small_chip(rng));
  emulator::simulation sim(image, {});
  sim.run(10, nullptr);
  const std::vector<std::uint8_t> good = sim.checkpoint();

  emulator::simulation wrong(other, {});
  EXPECT_THROW(wrong.restore(good, "a.engck"), emulator::checkpoint_error);

  emulator::simulation target(image, {});
  auto truncated = good;
  truncated.resize(good.size() - 9);
  EXPECT_THROW(target.restore(truncated, "a.engck"), emulator::checkpoint_error);
  auto flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  try {
    target.restore(flipped, "a.engck");
    ADD_FAILURE() << "a corrupt checkpoint was accepted";
  } catch (const emulator::checkpoint_error& e) {
    EXPECT_EQ(e.source, "a.engck");
    EXPECT_NE(e.reason.find("checksum"), std::string::npos) << e.reason;
  }
  auto version = good;
  version[8] = 99;
  EXPECT_THROW(target.restore(version, "a.engck"), emulator::checkpoint_error);
  const std::vector<std::uint8_t> not_one{'h', 'e', 'l', 'l', 'o'};
  EXPECT_THROW(target.restore(not_one, "a.engck"), emulator::checkpoint_error);
  // After all the refusals the simulation is untouched and still runs.
  target.restore(good, "a.engck");
  EXPECT_EQ(target.step(), 10u);
}

TEST(simulation, stop_flag_ends_the_run_at_a_step_every_core_reaches) {
  std::mt19937 rng(31);
  const auto image = compile_json(busy_network(rng, 8), small_chip(rng));
  emulator::simulation_options options;
  options.threads = 4;
  emulator::simulation sim(image, options);
  std::atomic<bool> stop{false};
  struct stopper : emulator::step_observer {
    std::atomic<bool>* flag;
    void on_step(const emulator::step_view& s) override {
      if (s.step == 20) {
        flag->store(true);
      }
    }
  } obs;
  obs.flag = &stop;
  sim.run(1'000'000, &obs, &stop);
  // The flag is seen when a core finishes its next step: by then steps
  // already finished by every core may have been handed over (at most a
  // window), and the fastest core is at most a window further.
  EXPECT_GE(sim.step(), 21u);
  EXPECT_LE(sim.step(), 20u + 2 * options.window);
  for (std::uint32_t c = 0; c < sim.core_count(); ++c) {
    EXPECT_EQ(sim.core_at(c).step(), sim.step());
  }
}

TEST(simulation, spikes_of_the_flagship_network_hash_the_same_for_1_2_4_and_8_threads) {
  const auto net = compiler::load_network_file(std::filesystem::path(ENGRAM_SOURCE_DIR) /
                                               "examples/vogels_abbott_cuba/network.json");
  const auto chip = compiler::resolve_chip("loihi-like");
  const auto image = compiler::compile_network(net, chip).image;
  std::uint64_t expected = 0;
  for (unsigned threads : {1u, 2u, 4u, 8u}) {
    emulator::simulation_options options;
    options.threads = threads;
    emulator::simulation sim(image, options);
    spike_collector seen;
    sim.run(300, &seen);
    const std::uint64_t h = engram::test::spike_hash(seen.spikes);
    if (threads == 1) {
      expected = h;
      EXPECT_GT(total_spikes(seen.spikes), 500u);
    } else {
      EXPECT_EQ(h, expected) << threads << " threads";
    }
  }
}
