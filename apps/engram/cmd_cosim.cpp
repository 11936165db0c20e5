// engram cosim IMAGE --core X,Y: runs the whole chip on the emulator, replays
// every packet the chosen core receives into the RTL core (and a second
// emulator core beside it), and compares them step by step (docs/rtl.md).
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <engram/emulator/simulation.hpp>
#include <engram/emulator/timing.hpp>
#include <engram/isa/chip_image.hpp>
#include <engram/rtl/cosim.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram cosim IMAGE --core N|X,Y [--steps N] [--trace FILE.fst]

Lock-step co-simulation of one neuron core: the whole chip runs on the
emulator; every packet the chosen core receives is replayed, step by step,
into the SystemVerilog core (verilated) and into a second emulator core, and
after each step every neuron's registers (u_exc, u_inh, v, refractory,
y1..y3), the spike lists, the pre traces (x1, x2) of the learning axons, the
modulator traces (r1) and every plastic synapse's weight, weight_frac and
tag are compared. The first step with a difference prints all of its
mismatches (step, neuron, axon, channel or synapse, field, both values) and
the command exits with 1.

  --core N, --core X,Y   the core, by id or by grid position (required)
  --steps N              steps to run (default 1000)
  --trace FILE.fst       write an FST waveform of the RTL core
  --help                 show this help
)";

std::optional<std::uint64_t> parse_number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::uint32_t resolve_core(const isa::chip_image& image, const std::string& value) {
    if (const auto comma = value.find(','); comma != std::string::npos) {
        const auto x = parse_number(std::string_view(value).substr(0, comma));
        const auto y = parse_number(std::string_view(value).substr(comma + 1));
        if (!x || !y) {
            throw usage_error("engram cosim: --core " + value + ": expected a core id N or a position X,Y");
        }
        const auto id = isa::find_core(image, static_cast<std::uint32_t>(*x), static_cast<std::uint32_t>(*y));
        if (!id) {
            throw usage_error("engram cosim: --core " + value + ": no core of the image sits at (" +
                              std::to_string(*x) + "," + std::to_string(*y) + ")");
        }
        return *id;
    }
    const auto id = parse_number(value);
    if (!id || *id >= image.cores.size()) {
        throw usage_error("engram cosim: --core " + value + ": expected a core id below " +
                          std::to_string(image.cores.size()) + " or a position X,Y");
    }
    return static_cast<std::uint32_t>(*id);
}

// Replays the packets of every step into the co-simulation: the emulator
// hands over each finished step in order; the packets that step emitted
// towards the chosen core (its neurons' multicast trees, docs/mapping.md)
// are the inputs of the next.
class replay final : public emulator::step_observer {
public:
    replay(const emulator::simulation& sim, const isa::image_chip& chip, std::uint32_t core,
           rtl::cosimulation& cosim, std::atomic<bool>& stop)
        : sim_(sim), timing_(chip, sim.mesh()), core_(core), cosim_(cosim), stop_(stop) {}

    void on_step(const emulator::step_view& view) override {
        if (failed_) {
            return;
        }
        const std::vector<rtl::mismatch>& ms = cosim_.step(pending_);
        packets_ += pending_.size();
        max_cycles_ = std::max(max_cycles_, cosim_.last_step_cycles());
        // The timing model's estimate of the same core and step, from the
        // replayed emulator core's counters of the step.
        const double estimate = timing_.core_cycles(cosim_.golden().golden().counters());
        const double measured = static_cast<double>(cosim_.last_step_cycles());
        estimated_ += estimate;
        step_error_ += measured > 0 ? std::abs(estimate - measured) / measured : 0.0;
        if (!ms.empty()) {
            for (const rtl::mismatch& m : ms) {
                std::printf("mismatch: %s\n", rtl::to_string(m).c_str());
            }
            std::printf("step %llu: %zu mismatches\n", static_cast<unsigned long long>(view.step), ms.size());
            fail();
            return;
        }
        // The replayed core must do what the chip's own core did.
        std::vector<std::uint32_t> chip_spikes;
        const emulator::core& own = sim_.core_at(core_);
        for (const std::uint32_t n : view.cores[core_].spiked) {
            if (own.kind(n) == isa::neuron_kind::lif) {
                chip_spikes.push_back(n);
            }
        }
        if (chip_spikes != cosim_.golden().spiked()) {
            std::printf("step %llu: the replayed inputs do not reproduce the chip's spikes of core %u\n",
                        static_cast<unsigned long long>(view.step), core_);
            fail();
            return;
        }
        spikes_ += chip_spikes.size();
        pending_.clear();
        for (std::uint32_t c = 0; c < view.cores.size(); ++c) {
            const emulator::core_step& cs = view.cores[c];
            for (std::size_t i = 0; i < cs.spiked.size(); ++i) {
                const std::uint32_t n = cs.spiked[i];
                if (!sim_.core_at(c).emits(n)) {
                    continue;
                }
                const emulator::route_tree& tree = sim_.mesh().tree(c, n);
                if (std::binary_search(tree.destinations.begin(), tree.destinations.end(), core_)) {
                    pending_.push_back({c, n, i < cs.payloads.size() ? cs.payloads[i] : 0u});
                }
            }
        }
    }

    bool failed() const { return failed_; }
    std::uint64_t packets() const { return packets_; }
    std::uint64_t spikes() const { return spikes_; }
    std::uint64_t max_cycles() const { return max_cycles_; }
    double estimated_cycles() const { return estimated_; }
    double mean_step_error() const { return cosim_.steps() ? step_error_ / static_cast<double>(cosim_.steps()) : 0.0; }

private:
    void fail() {
        failed_ = true;
        stop_ = true;
    }

    const emulator::simulation& sim_;
    emulator::timing_model timing_;
    std::uint32_t core_;
    rtl::cosimulation& cosim_;
    std::atomic<bool>& stop_;
    std::vector<rtl::packet> pending_;
    bool failed_ = false;
    std::uint64_t packets_ = 0;
    std::uint64_t spikes_ = 0;
    std::uint64_t max_cycles_ = 0;
    double estimated_ = 0;
    double step_error_ = 0;
};

} // namespace

int run_cosim(std::span<const std::string_view> args) {
    const arguments a(args, {"--help"}, {"--core", "--steps", "--trace"}, "cosim");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram cosim: expected one chip image, found " + std::to_string(a.positional().size()) +
                          " (see engram cosim --help)");
    }
    const auto core_arg = a.option("--core");
    if (!core_arg) {
        throw usage_error("engram cosim: --core N|X,Y is required (see engram cosim --help)");
    }
    std::uint64_t steps = 1000;
    if (const auto s = a.option("--steps")) {
        const auto v = parse_number(*s);
        if (!v || *v == 0) {
            throw usage_error("engram cosim: --steps " + *s + ": expected a positive whole number");
        }
        steps = *v;
    }
    const isa::chip_image image = isa::read_image(a.positional().front());
    const std::uint32_t core = resolve_core(image, *core_arg);

    rtl::cosim_options options;
    if (const auto t = a.option("--trace")) {
        options.rtl.trace = *t;
    }
    rtl::cosimulation cosim(image.cores[core], core, image.seed, options);
    emulator::simulation sim(image, {});
    std::atomic<bool> stop{false};
    replay observer(sim, image.chip, core, cosim, stop);
    const auto t0 = std::chrono::steady_clock::now();
    sim.run(steps, &observer, &stop);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // After the run, the synapse memory the RTL stores (read through its
    // debug port) must be the emulator's, word for word.
    const std::vector<rtl::mismatch> words =
        observer.failed() ? std::vector<rtl::mismatch>{} : cosim.compare_synapse_memory();
    cosim.finish();

    const isa::core_image& c = image.cores[core];
    std::printf("core %u (%u,%u): %zu neurons, %zu input axons, %zu synapse words\n", core, c.x, c.y,
                c.neuron_count(), c.axons.size(), c.synapse_memory.size());
    if (cosim.plastic_synapses() != 0 || cosim.learning_axons() != 0) {
        std::printf("learning: %u plastic synapses on %u learning axons, %llu epoch ends (%llu synapse updates)\n",
                    cosim.plastic_synapses(), cosim.learning_axons(), static_cast<unsigned long long>(cosim.epochs()),
                    static_cast<unsigned long long>(cosim.epochs() * cosim.plastic_synapses()));
    }
    std::printf("steps compared: %llu, packets replayed: %llu, spikes: %llu\n",
                static_cast<unsigned long long>(cosim.steps()), static_cast<unsigned long long>(observer.packets()),
                static_cast<unsigned long long>(observer.spikes()));
    const double rtl_s = cosim.rtl_seconds();
    std::printf("RTL: %llu cycles (%.1f per step, at most %llu), %.3f s: %.2f M cycles/s\n",
                static_cast<unsigned long long>(cosim.cycles()),
                cosim.steps() ? static_cast<double>(cosim.cycles()) / static_cast<double>(cosim.steps()) : 0.0,
                static_cast<unsigned long long>(observer.max_cycles()), rtl_s,
                rtl_s > 0 ? static_cast<double>(cosim.cycles()) / rtl_s / 1e6 : 0.0);
    const rtl::cycle_counts& k = cosim.rtl().core().cycles_by_phase();
    std::printf("RTL cycles by phase: ingress %llu, neuron update %llu, modulator traces %llu, pre traces %llu, "
                "learning %llu\n",
                static_cast<unsigned long long>(k.ingress), static_cast<unsigned long long>(k.update),
                static_cast<unsigned long long>(k.mod_trace), static_cast<unsigned long long>(k.pre_trace),
                static_cast<unsigned long long>(k.learn));
    if (cosim.steps() != 0 && cosim.cycles() != 0) {
        const double steps_d = static_cast<double>(cosim.steps());
        const double rtl_c = static_cast<double>(cosim.cycles());
        std::printf("timing model (chip \"%s\"): %.1f cycles per step estimated against the RTL's %.1f: %+.1f %% "
                    "(per step: mean |error| %.1f %%)\n",
                    image.chip.name.c_str(), observer.estimated_cycles() / steps_d, rtl_c / steps_d,
                    100.0 * (observer.estimated_cycles() - rtl_c) / rtl_c, 100.0 * observer.mean_step_error());
    }
    std::printf("emulator core: %.3f s (RTL / emulator: %.0fx); whole run %.3f s\n", cosim.emulator_seconds(),
                cosim.emulator_seconds() > 0 ? rtl_s / cosim.emulator_seconds() : 0.0, seconds);
    if (observer.failed()) {
        std::printf("FAILED\n");
        return 1;
    }
    for (const rtl::mismatch& m : words) {
        std::printf("mismatch: %s\n", rtl::to_string(m).c_str());
    }
    if (!words.empty()) {
        std::printf("FAILED: %zu synapse-memory words differ after the run\n", words.size());
        return 1;
    }
    std::printf("OK: no mismatch\n");
    return 0;
}

} // namespace engram::cli
