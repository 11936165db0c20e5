#include <cmath>

#include <engram/common/error.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/check.hpp>
#include <engram/compiler/partition.hpp>

namespace engram::compiler {

std::uint32_t delay_steps(double delay_ms, double dt_ms) {
    // Saturates: any delay past 2^32 - 1 steps is far beyond every chip.
    const double steps = std::round(delay_ms / dt_ms);
    constexpr double largest = 4294967295.0;
    return steps >= largest ? static_cast<std::uint32_t>(largest) : static_cast<std::uint32_t>(steps);
}

network_summary check_network_on_chip(const network& net, const chip_spec& chip) {
    network_summary s;
    s.populations = net.populations.size();
    s.projections = net.projections.size();
    s.rules = net.rules.size();
    for (const auto& p: net.populations) {
        s.neurons += p.size;
        if (!p.is_source()) {
            s.compute_neurons += p.size;
        }
    }
    const std::uint64_t capacity = chip.core_count() * chip.core.neurons;
    if (s.neurons > capacity) {
        throw chip_limit_error(net.source, "/populations", "neurons", static_cast<double>(s.neurons),
                               static_cast<double>(capacity),
                               "the network has " + std::to_string(s.neurons) + " neurons; chip \"" + chip.name +
                                   "\" holds " + std::to_string(capacity) + " (" + std::to_string(chip.core_count()) +
                                   " cores x " + std::to_string(chip.core.neurons) +
                                   "); try a larger preset or more chips");
    }
    s.cores_needed_at_least = (s.neurons + chip.core.neurons - 1) / chip.core.neurons;

    for (const auto& proj: net.projections) {
        const auto& pre = net.populations[proj.pre];
        const auto& post = net.populations[proj.post];
        const double synapses = proj.expected_synapses(pre.size, post.size);
        s.expected_synapses += synapses;
        // The longest delay and where it is written: the projection's delay,
        // or a FromList connection's own.
        double longest = proj.delay.max_value();
        std::string where = proj.path + "/delay";
        for (std::size_t i = 0; i < proj.conn.connections.size(); ++i) {
            const auto& c = proj.conn.connections[i];
            if (c.delay && *c.delay > longest) {
                longest = *c.delay;
                where = proj.path + "/connector/connections/" + std::to_string(i) + "/3";
            }
        }
        const double steps = std::round(longest / net.dt);
        s.max_delay_steps = std::max(s.max_delay_steps, delay_steps(longest, net.dt));
        if (steps > chip.core.max_delay) {
            throw chip_limit_error(net.source, where, "delay", steps, chip.core.max_delay,
                                   "projection \"" + proj.name + "\" has delays up to " + format_number(longest) +
                                       " ms = " + format_number(steps) + " steps of " + format_number(net.dt) +
                                       " ms; chip \"" + chip.name + "\" holds at most " +
                                       std::to_string(chip.core.max_delay) + " steps");
        }
        if (proj.rule) {
            s.plastic_synapses += synapses;
            if (!chip.has_learning()) {
                throw chip_limit_error(net.source, proj.path + "/plasticity", "learning rules", 1, 0,
                                       "projection \"" + proj.name + "\" is plastic, but chip \"" + chip.name +
                                           "\" has no learning engine");
            }
        }
    }
    std::vector<bool> rule_used(net.rules.size(), false);
    for (const auto& proj: net.projections) {
        if (proj.rule) {
            rule_used[*proj.rule] = true;
        }
    }
    for (std::size_t r = 0; r < net.rules.size(); ++r) {
        const auto& rule = net.rules[r];
        // A rule no projection uses never reaches the chip.
        if (rule_used[r]) {
            const std::size_t terms = rule_term_count(rule);
            if (terms > chip.core.microcode_words) {
                throw chip_limit_error(net.source, rule.path + "/params", "microcode words",
                                       static_cast<double>(terms), chip.core.microcode_words,
                                       "rule \"" + rule.name + "\" needs " + std::to_string(terms) +
                                           " microcode words; a core of chip \"" + chip.name + "\" holds " +
                                           std::to_string(chip.core.microcode_words));
            }
        }
    }
    return s;
}

} // namespace engram::compiler
