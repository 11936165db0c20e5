// Izhikevich (2007) distal reward on the emulator (issue 5): the example
// examples/distal_reward is compiled for loihi-like and run for its 120 s
// (39 trials: the cue's pre->post pairing, dopamine 1 s later; 100 Poisson
// background inputs at 2 Hz throughout) with the example's seed and two
// others. The rewarded cue synapse must end above every one of the 100
// background synapses, and far out of their distribution. Measured (the
// README's table and this test's output): the cue reaches w_max (4.06 nA)
// after about 90 s; the background ends at a mean of 0.25 nA (sd 0.21 to
// 0.24), its largest at 0.85 to 1.23 nA, so the cue is 2.8 nA above it and
// 16 to 18 sd above the mean. About 0.5 s per run.
//
// The control (the README's, make_network.py --control): the teacher fires
// the neuron 10 ms before each cue spike instead of after it, so the cue's
// pairing is post->pre and its tag negative when the dopamine comes; the
// cue synapse must then fall below the background instead.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/run_output.hpp>
#include <engram/emulator/simulation.hpp>

namespace {

using namespace engram;

// The projection called `name` (a failed lookup fails the test).
std::uint32_t projection_index(const isa::chip_image& image, const std::string& name) {
    const auto found = isa::find_projection(image, name);
    EXPECT_TRUE(found.has_value()) << "no projection " << name;
    return found.value_or(0);
}

// Weights in nA (mantissa and fraction) of one projection.
std::vector<double> weights_nA(const emulator::simulation& sim, const compiler::compile_result& c,
                               const std::string& name) {
    double lsb = 0.0;
    for (const auto& p: c.report.quantization.projections) {
        lsb = p.name == name ? p.weight_lsb_nA : lsb;
    }
    std::vector<double> out;
    for (const auto& s: emulator::read_projection(sim, projection_index(sim.image(), name))) {
        out.push_back((s.weight + s.weight_frac / 256.0) * lsb);
    }
    return out;
}

struct outcome {
    double cue_start = 0, cue = 0, mean = 0, sd = 0, top = 0, start = 0;
};

outcome run(const nlohmann::json& j, std::uint64_t steps) {
    const auto net = compiler::load_network_text(j.dump(), "network.json");
    const auto compiled = compiler::compile_network(net, compiler::load_chip_preset("loihi-like"));
    emulator::simulation sim(compiled.image, {});
    outcome o;
    o.start = weights_nA(sim, compiled, "background").at(0);
    o.cue_start = weights_nA(sim, compiled, "cue_synapse").at(0);
    sim.run(steps, nullptr);
    const std::vector<double> background = weights_nA(sim, compiled, "background");
    o.cue = weights_nA(sim, compiled, "cue_synapse").at(0);
    EXPECT_EQ(background.size(), 100u);
    for (double w: background) {
        o.mean += w;
    }
    o.mean /= static_cast<double>(background.size());
    for (double w: background) {
        o.sd += (w - o.mean) * (w - o.mean);
    }
    o.sd = std::sqrt(o.sd / static_cast<double>(background.size() - 1));
    o.top = *std::max_element(background.begin(), background.end());
    return o;
}

nlohmann::json example() {
    std::ifstream in(std::string(ENGRAM_SOURCE_DIR) + "/examples/distal_reward/network.json");
    EXPECT_TRUE(in.good());
    nlohmann::json j;
    in >> j;
    return j;
}

constexpr std::uint64_t duration_steps = 120'000;  // the example's 120 s at dt = 1 ms

}  // namespace

TEST(distal_reward, the_rewarded_synapse_ends_above_all_others) {
    nlohmann::json j = example();
    for (const int seed: {2007, 1, 2}) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        j["seed"] = seed;
        const outcome o = run(j, duration_steps);
        std::printf("  seed %4d: cue %.3f -> %.3f nA; background %.3f -> mean %.3f, sd %.3f, max %.3f nA; "
                    "cue - max %.3f nA, (cue - mean)/sd %.1f\n",
                    seed, o.cue_start, o.cue, o.start, o.mean, o.sd, o.top, o.cue - o.top, (o.cue - o.mean) / o.sd);
        EXPECT_GT(o.cue, o.top + 1.0);              // above every other synapse, with margin
        EXPECT_GT((o.cue - o.mean) / o.sd, 8.0);    // far out of the others' distribution
        EXPECT_GT(o.cue, o.cue_start + 3.0);        // it grew to near w_max
        EXPECT_LT(o.mean, o.start);                 // while the others, on average, fell
    }
}

TEST(distal_reward, a_post_before_pre_cue_pairing_is_depressed_by_the_same_rewards) {
    nlohmann::json j = example();
    nlohmann::json* cue = nullptr;
    nlohmann::json* teacher = nullptr;
    for (auto& p: j["populations"]) {
        cue = p["name"] == "cue" ? &p : cue;
        teacher = p["name"] == "teacher" ? &p : teacher;
    }
    ASSERT_NE(cue, nullptr);
    ASSERT_NE(teacher, nullptr);
    nlohmann::json times = nlohmann::json::array();
    for (const auto& t: (*cue)["params"]["spike_times"]) {
        times.push_back(t.get<double>() - 10.0);
    }
    (*teacher)["params"]["spike_times"] = times;
    const outcome o = run(j, duration_steps);
    std::printf("  control: cue %.3f -> %.3f nA; background mean %.3f, sd %.3f, max %.3f nA\n", o.cue_start, o.cue,
                o.mean, o.sd, o.top);
    EXPECT_LT(o.cue, o.cue_start - 0.3);  // measured: down to w_min = 0
    EXPECT_LT(o.cue, 0.5 * o.mean);       // below most of the background
}
