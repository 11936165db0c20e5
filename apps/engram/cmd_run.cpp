// engram run: compile if needed, emulate, record, report energy and timing.
#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <unistd.h>

#include <engram/common/atomic_file.hpp>
#include <engram/common/text.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/compile.hpp>
#include <engram/compiler/network_loader.hpp>
#include <engram/emulator/checkpoint.hpp>
#include <engram/emulator/run_output.hpp>
#include <engram/emulator/simulation.hpp>
#include <engram/isa/chip_image.hpp>

#include "cli.hpp"
#include "learned_network.hpp"
#include "run_input.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram run IMAGE|NETWORK.json [--chip PRESET|CHIP.json] --steps N -o OUTDIR [options]

Runs a chip image on the emulated chip (a network description is compiled
first, for --chip, default loihi-like) for N time steps, bit for bit as
docs/numerics.md specifies, and writes what it recorded to OUTDIR (see
docs/run-output.md). Prints the energy and timing report at the end
(`engram power OUTDIR` prints it again).

  --steps N              time steps to run (required)
  -o, --output OUTDIR    output folder (created if missing)
  --chip X               chip for a NETWORK.json (preset name or chip file)
  --threads T            worker threads (default 1); results are identical for any T
  --record-spikes WHAT   all (default), none, or populations: exc,inh
  --no-csv               no spikes.csv (spikes.bin only)
  --no-counters          no counters.bin and steps.bin
  --probe LIST           sample neuron state (u_exc, u_inh, v, refractory) of
                         neurons: exc[0..9],inh[3],out (a whole population)
  --probe-every K        sample every K steps (default 1)
  --record-weights LIST  record the weights of projections: e_to_i,plastic
  --weights-every K      every K steps (default 100), and at the start
  --checkpoint-every K   write OUTDIR/checkpoint.engck every K steps and at the end
  --resume CHECKPOINT    continue from a checkpoint of the same image
  --window W             how far cores may run ahead of the slowest (default 64)
  --write-network FILE   after the run, write the NETWORK.json with every plastic
                         projection replaced by its learned weights (a FromList
                         connector, no "plasticity"): the trained network, static
  --quiet                no progress line and no report
  --help                 show this help

With a NETWORK.json and none of --record-spikes/--probe, its "recording"
section decides what is recorded. Ctrl-C (SIGINT) ends the run at the next
step every core can reach, writes OUTDIR/checkpoint.engck and the outputs so
far, and exits with code 130. Exit codes: 0 success, 1 bad input, 2 internal
error, 130 interrupted.
)";

std::atomic<bool> interrupted{false};

extern "C" void on_sigint(int) {
    interrupted.store(true);
}

std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t min) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < min) {
        throw usage_error("engram run: " + option + " expects a whole number >= " + std::to_string(min) +
                          ", found \"" + text + "\"");
    }
    return v;
}

std::uint32_t population_named(const isa::chip_image& image, const std::string& option, const std::string& name) {
    if (const auto p = isa::find_population(image, name)) {
        return *p;
    }
    std::vector<std::string_view> names;
    for (const auto& p: image.populations) {
        names.push_back(p.name);
    }
    const std::string guess = closest_match(name, names);
    throw usage_error("engram run: " + option + ": no population \"" + name + "\"" +
                      (guess.empty() ? "" : "; did you mean \"" + guess + "\"?") + " (populations: " +
                      join_choices(names) + ")");
}

// exc[3], exc[0..9], exc
void add_probes(const isa::chip_image& image, const std::string& item, std::vector<isa::neuron_location>& out) {
    std::string name = item;
    std::uint32_t first = 0;
    std::optional<std::uint32_t> last;
    if (const auto open = item.find('['); open != std::string::npos) {
        if (item.back() != ']') {
            throw usage_error("engram run: --probe: expected POPULATION[i] or POPULATION[i..j], found \"" + item +
                              "\"");
        }
        name = item.substr(0, open);
        const std::string range = item.substr(open + 1, item.size() - open - 2);
        const auto dots = range.find("..");
        first = static_cast<std::uint32_t>(parse_count("--probe", range.substr(0, dots), 0));
        last = dots == std::string::npos ? first
                                         : static_cast<std::uint32_t>(parse_count("--probe", range.substr(dots + 2), 0));
    }
    const std::uint32_t p = population_named(image, "--probe", name);
    const std::uint32_t size = image.populations[p].size;
    const std::uint32_t end = last ? *last : (size == 0 ? 0 : size - 1);
    if (end >= size || first > end) {
        throw usage_error("engram run: --probe: \"" + item + "\" is outside population \"" + name + "\" (neurons 0.." +
                          std::to_string(size == 0 ? 0 : size - 1) + ")");
    }
    for (std::uint32_t i = first; i <= end; ++i) {
        if (const auto at = isa::locate_neuron(image, p, i)) {
            out.push_back(*at);
        }
    }
}

std::uint32_t projection_named(const isa::chip_image& image, const std::string& name) {
    if (const auto found = isa::find_projection(image, name)) {
        return *found;
    }
    std::vector<std::string_view> names;
    for (const auto& p: image.projections) {
        names.push_back(p.name);
    }
    const std::string guess = closest_match(name, names);
    throw usage_error("engram run: --record-weights: no projection \"" + name + "\"" +
                      (guess.empty() ? "" : "; did you mean \"" + guess + "\"?") + " (projections: " +
                      join_choices(names) + ")");
}

// A progress line on a terminal, for runs longer than a couple of seconds.
class progress_observer: public emulator::step_observer {
public:
    progress_observer(emulator::step_observer& inner, std::uint64_t end, bool show):
        inner_(inner), end_(end), show_(show), start_(clock::now()), last_(start_) {}
    ~progress_observer() override { clear(); }

    void on_step(const emulator::step_view& step) override {
        inner_.on_step(step);
        if (!show_) {
            return;
        }
        const auto now = clock::now();
        if (now - start_ < std::chrono::seconds(2) || now - last_ < std::chrono::milliseconds(200)) {
            return;
        }
        last_ = now;
        ++done_since_start_;
        const double seconds = std::chrono::duration<double>(now - start_).count();
        std::fprintf(stderr, "\r  step %llu of %llu (%.0f%%), %.3g s elapsed   ",
                     static_cast<unsigned long long>(step.step + 1), static_cast<unsigned long long>(end_),
                     100.0 * static_cast<double>(step.step + 1) / static_cast<double>(end_), seconds);
        std::fflush(stderr);
        printed_ = true;
    }
    void clear() {
        if (printed_) {
            std::fprintf(stderr, "\r%60s\r", "");
            printed_ = false;
        }
    }

private:
    using clock = std::chrono::steady_clock;
    emulator::step_observer& inner_;
    std::uint64_t end_;
    bool show_;
    clock::time_point start_, last_;
    std::uint64_t done_since_start_ = 0;
    bool printed_ = false;
};

void write_checkpoint(emulator::simulation& sim, const std::filesystem::path& file) {
    const std::vector<std::uint8_t> bytes = sim.checkpoint();
    write_file_atomic(file, bytes, "checkpoint");
}

} // namespace

int run_run(std::span<const std::string_view> args) {
    std::vector<std::string_view> normalized(args.begin(), args.end());
    for (auto& a: normalized) {
        if (a == "-o") {
            a = "--output";
        }
    }
    const arguments a(normalized, {"--help", "--no-csv", "--no-counters", "--quiet"},
                      {"--chip", "--output", "--steps", "--threads", "--record-spikes", "--probe", "--probe-every",
                       "--record-weights", "--weights-every", "--checkpoint-every", "--resume", "--window",
                       "--write-network"},
                      "run");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram run: expected one image or network file, found " +
                          std::to_string(a.positional().size()) + " (see engram run --help)");
    }
    if (!a.option("--steps")) {
        throw usage_error("engram run: say how many steps to run with --steps N");
    }
    if (!a.option("--output")) {
        throw usage_error("engram run: name the output folder with -o OUTDIR");
    }
    const std::uint64_t steps = parse_count("--steps", *a.option("--steps"), 0);
    const auto threads = static_cast<unsigned>(parse_count("--threads", a.option("--threads").value_or("1"), 1));
    if (threads > 256) {
        throw usage_error("engram run: --threads " + std::to_string(threads) + " is more than 256");
    }
    const bool quiet = a.flag("--quiet");

    const run_input input = load_run_input(a.positional().front(), a.option("--chip"), quiet, "run");
    const isa::chip_image& image = input.image;
    std::optional<nlohmann::ordered_json> network_document;
    const std::optional<std::string> learned_file = a.option("--write-network");
    if (learned_file) {
        if (input.is_image) {
            throw usage_error("engram run: --write-network needs a network description as input; " +
                              a.positional().front() + " is a chip image");
        }
        network_document = read_network_document(a.positional().front());
    }

    emulator::simulation_options sim_options;
    sim_options.threads = threads;
    sim_options.window = static_cast<std::uint32_t>(parse_count("--window", a.option("--window").value_or("64"), 1));
    emulator::record_options rec;
    if (const auto spikes = a.option("--record-spikes")) {
        if (*spikes == "none") {
            rec.spikes = false;
        } else if (*spikes != "all") {
            for (const std::string& name: split_list(*spikes)) {
                rec.spike_populations.push_back(population_named(image, "--record-spikes", name));
            }
        }
    } else if (!input.spike_populations.empty() || !input.probes.empty()) {
        rec.spike_populations = input.spike_populations;
        rec.spikes = !input.spike_populations.empty();
    }
    if (const auto probes = a.option("--probe")) {
        for (const std::string& item: split_list(*probes)) {
            add_probes(image, item, sim_options.probes);
        }
    } else if (!a.option("--record-spikes")) {
        sim_options.probes = input.probes;
        sim_options.probe_every = input.probe_every;
    }
    if (const auto every = a.option("--probe-every")) {
        sim_options.probe_every = static_cast<std::uint32_t>(parse_count("--probe-every", *every, 1));
    }
    rec.spikes_csv = !a.flag("--no-csv");
    rec.counters = !a.flag("--no-counters");
    if (const auto weights = a.option("--record-weights")) {
        for (const std::string& name: split_list(*weights)) {
            rec.weight_projections.push_back(projection_named(image, name));
        }
        rec.weight_every =
            static_cast<std::uint32_t>(parse_count("--weights-every", a.option("--weights-every").value_or("100"), 1));
    } else if (a.option("--weights-every")) {
        throw usage_error("engram run: --weights-every needs --record-weights");
    }
    const std::uint64_t checkpoint_every =
        a.option("--checkpoint-every") ? parse_count("--checkpoint-every", *a.option("--checkpoint-every"), 1) : 0;

    // From here on Ctrl-C ends the run cleanly (with a checkpoint).
    interrupted.store(false);
    auto previous = std::signal(SIGINT, on_sigint);
    struct restore_handler {
        decltype(previous) handler;
        ~restore_handler() { std::signal(SIGINT, handler); }
    } restore{previous};
    emulator::simulation sim(image, sim_options);
    if (const auto resume = a.option("--resume")) {
        std::ifstream in(*resume, std::ios::binary);
        if (!in) {
            throw file_error(*resume, "cannot open the checkpoint");
        }
        const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        sim.restore(bytes, *resume);
    }
    const std::filesystem::path folder = *a.option("--output");
    const std::filesystem::path checkpoint_file = folder / "checkpoint.engck";
    emulator::run_recorder recorder(folder, sim, rec);
    const std::uint64_t start = sim.step();
    const std::uint64_t end = start + steps;
    progress_observer progress(recorder, end, !quiet && ::isatty(STDERR_FILENO) != 0);

    if (rec.weight_every > 0 && start % rec.weight_every == 0) {
        recorder.record_weights(sim);
    }
    bool stopped = false;
    while (sim.step() < end) {
        std::uint64_t next = end;
        const std::uint64_t now = sim.step();
        if (checkpoint_every > 0) {
            next = std::min(next, (now / checkpoint_every + 1) * checkpoint_every);
        }
        if (rec.weight_every > 0) {
            next = std::min<std::uint64_t>(next, (now / rec.weight_every + 1) * rec.weight_every);
        }
        sim.run(next - now, &progress, &interrupted);
        if (interrupted.load()) {
            stopped = true;
            break;
        }
        if (rec.weight_every > 0 && sim.step() % rec.weight_every == 0) {
            recorder.record_weights(sim);
        }
        if (checkpoint_every > 0 && sim.step() % checkpoint_every == 0 && sim.step() != end) {
            write_checkpoint(sim, checkpoint_file);
        }
    }
    progress.clear();
    if (stopped || checkpoint_every > 0) {
        write_checkpoint(sim, checkpoint_file);
    }
    nlohmann::json extra;
    extra["input"] = input.description;
    extra["interrupted"] = stopped;
    extra["checkpoint"] = stopped || checkpoint_every > 0 ? nlohmann::json(checkpoint_file.string()) : nlohmann::json();
    const emulator::energy_report energy = recorder.finish(sim, extra);
    std::optional<learned_network_summary> learned;
    if (learned_file) {
        learned = write_learned_network(std::move(*network_document), *learned_file, sim);
    }
    if (!quiet) {
        const emulator::activity act = emulator::make_activity(sim);
        std::printf("ran %s steps (%llu..%llu) of \"%s\" on %zu cores; %s spikes recorded\n",
                    with_commas(sim.step() - start).c_str(), static_cast<unsigned long long>(start),
                    static_cast<unsigned long long>(sim.step()), image.network_name.c_str(), image.cores.size(),
                    with_commas(recorder.spikes_recorded()).c_str());
        std::fputs(emulator::summary(energy, act).c_str(), stdout);
        std::printf("wrote %s\n", folder.string().c_str());
        if (learned) {
            std::printf("wrote %s: %zu plastic projection%s, %s synapses, now static\n", learned_file->c_str(),
                        learned->projections.size(), learned->projections.size() == 1 ? "" : "s",
                        with_commas(learned->synapses).c_str());
        }
    }
    if (stopped) {
        std::fprintf(stderr, "engram run: interrupted at step %llu; checkpoint written to %s (resume with --resume)\n",
                     static_cast<unsigned long long>(sim.step()), checkpoint_file.string().c_str());
        return 130;
    }
    return 0;
}

} // namespace engram::cli
