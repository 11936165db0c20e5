// Song, Miller & Abbott (2000) on the emulator (issue 5): one LIF neuron,
// 1,000 Poisson inputs, additive pair STDP. The examples
// examples/stdp_song2000 and examples/stdp_song2000_correlated are compiled
// for loihi-like and run; the tests assert what the published result implies:
// the weights split towards the bounds, and a correlated group of inputs
// takes the strong synapses. The thresholds are the measured values (the
// examples' READMEs) with margin; the runs are shorter than the READMEs'
// so that the whole file stays under about 20 s (15 s measured on the
// 2-core development machine).

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/isa/chip_image.hpp>

namespace {

using namespace engram;

compiler::compile_result compile_example(const std::string& name) {
    const compiler::network net =
        compiler::load_network_file(std::string(ENGRAM_SOURCE_DIR) + "/examples/" + name + "/network.json");
    return compiler::compile_network(net, compiler::load_chip_preset("loihi-like"));
}

// The projection called `name` (a failed lookup fails the test).
std::uint32_t projection_index(const isa::chip_image& image, const std::string& name) {
    const auto found = isa::find_projection(image, name);
    EXPECT_TRUE(found.has_value()) << "no projection " << name;
    return found.value_or(0);
}

// The upper bound of the examples' one learning rule, in mantissa steps.
std::int32_t rule_w_max(const isa::chip_image& image) {
    std::int32_t w_max = 0;
    for (const auto& core: image.cores) {
        for (const auto& rule: core.rules) {
            w_max = std::max<std::int32_t>(w_max, rule.w_max);
        }
    }
    return w_max;
}

// The weight mantissas of every synapse of image projection `projection`,
// read from the cores' synapse memory.
std::vector<std::int32_t> weights_of(const emulator::simulation& sim, std::uint32_t projection) {
    std::vector<std::int32_t> out;
    const isa::chip_image& image = sim.image();
    for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
        const isa::core_image& ci = image.cores[c];
        const std::vector<std::uint32_t> memory = sim.core_at(c).synapse_memory();
        for (std::size_t e = 0; e < ci.input_map.size() && e < ci.input_projection.size(); ++e) {
            if (ci.input_projection[e] != projection) {
                continue;
            }
            const isa::input_map_entry& m = ci.input_map[e];
            for (std::uint32_t k = 0; k < m.count; ++k) {
                const isa::axon_entry& a = ci.axons.at(m.axon_base + k);
                for (std::uint32_t i = a.row_base; i < a.row_base + a.row_len;) {
                    const isa::synapse_word w = isa::unpack_synapse_word({memory.at(i++)});
                    i += w.plastic ? 1 : 0;  // the plastic word (fraction, tag)
                    out.push_back(w.weight);
                }
            }
        }
    }
    return out;
}

struct split {
    double low = 0;   // fraction within 10 % of w_max of 0
    double high = 0;  // fraction within 10 % of w_max of w_max
    double middle = 0;  // fraction in [0.3, 0.7) w_max
};

split split_of(const std::vector<std::int32_t>& weights, std::int32_t w_max) {
    split s;
    for (const std::int32_t w: weights) {
        s.low += w * 10 <= w_max ? 1.0 : 0.0;
        s.high += w * 10 >= 9 * w_max ? 1.0 : 0.0;
        s.middle += w * 10 >= 3 * w_max && w * 10 < 7 * w_max ? 1.0 : 0.0;
    }
    const double n = static_cast<double>(weights.size());
    s.low /= n;
    s.high /= n;
    s.middle /= n;
    return s;
}

} // namespace

// Uncorrelated inputs: from uniform weights (21 % within 10 % of a bound,
// 41 % in the middle 40 % of the range) the weights leave the middle for the
// bounds. The README's 600 s end at 65 % near a bound (49 % near 0, 16 % near
// w_max) and 10 % in the middle; this test runs the first 200 s, where the
// emulator measures 52 % near a bound (43 % near 0) and 20 % in the middle.
TEST(song2000, weights_leave_the_middle_for_the_bounds) {
    const auto compiled = compile_example("stdp_song2000");
    const isa::chip_image& image = compiled.image;
    const std::uint32_t proj = projection_index(image, "input_synapses");
    const std::int32_t w_max = rule_w_max(image);
    ASSERT_GT(w_max, 50);
    emulator::simulation sim(image, {});
    const split before = split_of(weights_of(sim, proj), w_max);
    ASSERT_EQ(weights_of(sim, proj).size(), 1000u);
    EXPECT_LT(before.low + before.high, 0.3);
    EXPECT_GT(before.middle, 0.35);
    const std::uint32_t steps = 200'000;
    sim.run(steps, nullptr);
    const split after = split_of(weights_of(sim, proj), w_max);
    std::printf("  after %u s: %.3f within 10 %% of 0, %.3f within 10 %% of w_max, %.3f in the middle "
                "(before %.3f, %.3f, %.3f)\n",
                steps / 1000, after.low, after.high, after.middle, before.low, before.high, before.middle);
    EXPECT_GE(after.low + after.high, 0.45);
    EXPECT_GE(after.low, 0.35);
    EXPECT_GE(after.high, 0.05);
    EXPECT_LE(after.middle, 0.28);
}

// 200 of 1,000 inputs share a fifth of their spikes: they end up holding
// most of the strong synapses, and nearly all of them are strong.
TEST(song2000, correlated_group_holds_the_strong_synapses) {
    const auto compiled = compile_example("stdp_song2000_correlated");
    const isa::chip_image& image = compiled.image;
    const std::uint32_t group = projection_index(image, "group_synapses");
    const std::uint32_t other = projection_index(image, "input_synapses");
    const std::int32_t w_max = rule_w_max(image);
    emulator::simulation sim(image, {});
    sim.run(50'000, nullptr);
    const std::vector<std::int32_t> g = weights_of(sim, group);
    const std::vector<std::int32_t> o = weights_of(sim, other);
    ASSERT_EQ(g.size(), 200u);
    ASSERT_EQ(o.size(), 800u);
    const double strong_g = split_of(g, w_max).high * static_cast<double>(g.size());
    const double strong_o = split_of(o, w_max).high * static_cast<double>(o.size());
    std::printf("  after 50 s: %.0f of 200 correlated and %.0f of 800 independent synapses strong\n", strong_g,
                strong_o);
    EXPECT_GE(strong_g / (strong_g + strong_o), 0.75);
    EXPECT_GE(strong_g / static_cast<double>(g.size()), 0.8);
}
