// engram run and engram power end to end: the output folder's files and
// sizes, the report, identical outputs for any thread count, checkpoints and
// resuming through the command line, Ctrl-C (SIGINT), and one-line refusals
// of bad input.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../cli_runner.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;

using result = engram::test::cli_result;

result run(const std::string& args) {
    return engram::test::run_cli(args);
}

// engram run ARGS
result engram_run(const std::string& args) {
    return run("run " + args);
}

using engram::test::example;
using engram::test::lines;
using engram::test::temp_dir;

std::string read_bytes(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    EXPECT_TRUE(in.good()) << "cannot open " << file;
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json read_json(const fs::path& file) {
    std::ifstream in(file);
    EXPECT_TRUE(in.good()) << "cannot open " << file;
    return nlohmann::json::parse(in);
}

// A refusal: exit code 1 and one line on stderr (after the note that a
// network was compiled, if it was), nothing that looks like a crash.
void expect_one_line_refusal(const result& r, const std::string& what) {
    std::string message = r.err;
    if (message.rfind("compiled \"", 0) == 0) {
        message.erase(0, message.find('\n') + 1);
    }
    EXPECT_EQ(r.code, 1) << what << "\nstderr: " << r.err;
    EXPECT_EQ(lines(message), 1u) << what << "\nstderr: " << r.err;
    EXPECT_EQ(message.rfind("engram: ", 0), 0u) << what << "\nstderr: " << r.err;
    EXPECT_EQ(message.find("internal error"), std::string::npos) << what << "\nstderr: " << r.err;
}

bool has_temporary_file(const fs::path& folder, const std::string& prefix) {
    for (const auto& entry: fs::directory_iterator(folder)) {
        if (entry.path().filename().string().rfind(prefix, 0) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace

TEST(cli_run, single_neuron_writes_every_file_with_the_documented_sizes) {
    const temp_dir dir;
    const auto r = engram_run(example("single_neuron") + " --steps 200 -o " + dir.str("out"));
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("ran 200 steps"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("N*r*k*E_syn"), std::string::npos) << r.out;
    const fs::path out = dir / "out";

    const nlohmann::json j = read_json(out / "run.json");
    EXPECT_EQ(j.at("format"), "engram-run/1");
    EXPECT_EQ(j.at("first_step"), 0);
    EXPECT_EQ(j.at("end_step"), 200);
    EXPECT_EQ(j.at("interrupted"), false);
    const std::uint64_t cores = j.at("recorded").at("cores").get<std::uint64_t>();
    ASSERT_GT(cores, 0u);
    EXPECT_EQ(j.at("activity").at("cores").size(), cores);
    EXPECT_EQ(j.at("activity").at("steps"), 200);

    // spikes.bin: (step, population, neuron) as three uint32 per spike; the
    // CSV has the same spikes, one a row after its header.
    const std::string spikes = read_bytes(out / "spikes.bin");
    EXPECT_EQ(spikes.size() % 12, 0u);
    EXPECT_GT(spikes.size(), 0u);  // the neuron fires (the example is built to)
    const std::string csv = read_bytes(out / "spikes.csv");
    ASSERT_GE(lines(csv), 1u);
    EXPECT_EQ(csv.substr(0, csv.find('\n')), "step,population,neuron");
    EXPECT_EQ(spikes.size(), 12 * (lines(csv) - 1));
    EXPECT_EQ(j.at("recorded").at("spikes").get<std::uint64_t>(), spikes.size() / 12);
    for (std::size_t i = 0; i + 12 <= spikes.size(); i += 12) {
        std::uint32_t row[3];
        std::memcpy(row, spikes.data() + i, sizeof row);
        EXPECT_LT(row[0], 200u);
        EXPECT_EQ(j.at("populations").at(row[1]).at("name"), "neuron");  // the recording section's choice
        EXPECT_EQ(row[2], 0u);
    }

    // counters.bin: twelve uint32 per core per step; steps.bin 32 bytes a step.
    EXPECT_EQ(fs::file_size(out / "counters.bin"), 200 * cores * 48);
    EXPECT_EQ(fs::file_size(out / "steps.bin"), 200u * 32);
    EXPECT_EQ(j.at("files").at("counters.bin").get<std::uint64_t>(), 200 * cores * 48);
    EXPECT_FALSE(has_temporary_file(out, "."));
}

TEST(cli_run, power_prints_the_report_again_and_its_json_matches_run_json) {
    const temp_dir dir;
    ASSERT_EQ(engram_run(example("single_neuron") + " --steps 200 --quiet -o " + dir.str("out")).code, 0);
    const nlohmann::json j = read_json(dir / "out" / "run.json");

    const auto text = run("power " + dir.str("out"));
    ASSERT_EQ(text.code, 0) << text.err;
    EXPECT_NE(text.out.find("synaptic term N*r*k*E_syn = "), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("energy and timing (200 steps"), std::string::npos) << text.out;

    const auto as_json = run("power " + dir.str("out") + " --json");
    ASSERT_EQ(as_json.code, 0) << as_json.err;
    const nlohmann::json report = nlohmann::json::parse(as_json.out);
    EXPECT_EQ(report.at("total_pj_real_time"), j.at("energy").at("total_pj_real_time"));
    EXPECT_GT(report.at("total_pj_real_time").get<double>(), 0.0);
    EXPECT_EQ(report, j.at("energy"));  // recomputed from the activity: the same figures
}

TEST(cli_run, one_and_four_threads_write_byte_identical_outputs) {
    const temp_dir dir;
    const std::string net = example("vogels_abbott_cuba");
    const auto one = engram_run(net + " --steps 300 --no-csv --quiet --threads 1 -o " + dir.str("t1"));
    ASSERT_EQ(one.code, 0) << one.err;
    const auto four = engram_run(net + " --steps 300 --no-csv --quiet --threads 4 -o " + dir.str("t4"));
    ASSERT_EQ(four.code, 0) << four.err;
    for (const char* file: {"spikes.bin", "counters.bin", "steps.bin", "run.json"}) {
        SCOPED_TRACE(file);
        const std::string a = read_bytes(dir / "t1" / file);
        EXPECT_FALSE(a.empty());
        EXPECT_TRUE(a == read_bytes(dir / "t4" / file));
    }
    EXPECT_FALSE(fs::exists(dir / "t1" / "spikes.csv"));
    EXPECT_GT(fs::file_size(dir / "t1" / "spikes.bin"), 12u * 500);  // the network is busy
}

TEST(cli_run, resuming_a_checkpoint_continues_the_run_bit_for_bit) {
    const temp_dir dir;
    const std::string net = example("vogels_abbott_cuba") + " --no-csv --quiet --checkpoint-every 100";
    ASSERT_EQ(engram_run(net + " --steps 300 -o " + dir.str("A")).code, 0);
    ASSERT_EQ(engram_run(net + " --steps 100 -o " + dir.str("B")).code, 0);
    const auto c = engram_run(net + " --resume " + dir.str("B/checkpoint.engck") + " --steps 200 -o " + dir.str("C"));
    ASSERT_EQ(c.code, 0) << c.err;

    const nlohmann::json jc = read_json(dir / "C" / "run.json");
    EXPECT_EQ(jc.at("first_step"), 100);
    EXPECT_EQ(jc.at("end_step"), 300);
    EXPECT_EQ(read_json(dir / "A" / "run.json").at("end_step"), 300);
    const std::string a = read_bytes(dir / "A" / "spikes.bin");
    const std::string joined = read_bytes(dir / "B" / "spikes.bin") + read_bytes(dir / "C" / "spikes.bin");
    EXPECT_GT(a.size(), 0u);
    EXPECT_TRUE(joined == a) << "B + C: " << joined.size() << " bytes, A: " << a.size();
    const std::string ck_a = read_bytes(dir / "A" / "checkpoint.engck");
    EXPECT_GT(ck_a.size(), 0u);
    EXPECT_TRUE(read_bytes(dir / "C" / "checkpoint.engck") == ck_a);
    // The totals of the resumed run cover every step from 0.
    EXPECT_EQ(jc.at("activity"), read_json(dir / "A" / "run.json").at("activity"));
}

TEST(cli_run, sigint_ends_the_run_with_a_checkpoint_that_resumes) {
    const temp_dir dir;
    const std::string program = ENGRAM_CLI_PATH;
    const std::string net = example("vogels_abbott_cuba");
    const std::string out = dir.str("D");
    const std::string log = dir.str("D.log");
    std::vector<std::string> args = {program, "run", net, "--steps", "100000000", "-o", out, "--no-csv"};
    std::vector<char*> argv;
    for (std::string& a: args) {
        argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    ASSERT_EQ(::posix_spawn_file_actions_init(&actions), 0);
    ::posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(spawned, 0) << "cannot start " << program;

    // Ends the child whatever happens below (a failed wait must not leave it running).
    struct reaper {
        pid_t pid;
        bool reaped = false;
        ~reaper() {
            if (!reaped) {
                ::kill(pid, SIGKILL);
                int status = 0;
                ::waitpid(pid, &status, 0);
            }
        }
    } child{pid};

    // Wait for the run loop: the recorder opens its temporary files (after
    // the SIGINT handler is installed) just before the first step.
    using clock = std::chrono::steady_clock;
    const auto deadline = clock::now() + std::chrono::seconds(60);
    bool started = false;
    while (!started && clock::now() < deadline) {
        started = fs::is_directory(out) && has_temporary_file(out, ".spikes.bin.tmp");
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) != 0) {
            child.reaped = true;
            FAIL() << "the run ended before it was interrupted:\n" << read_bytes(log);
        }
        if (!started) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ASSERT_TRUE(started) << "the run did not start within 60 s:\n" << read_bytes(log);

    ASSERT_EQ(::kill(pid, SIGINT), 0);
    int status = 0;
    pid_t waited = 0;
    while ((waited = ::waitpid(pid, &status, WNOHANG)) == 0 && clock::now() < deadline + std::chrono::seconds(60)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(waited, pid) << "the run did not end after SIGINT:\n" << read_bytes(log);
    child.reaped = true;
    ASSERT_TRUE(WIFEXITED(status)) << "ended by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    EXPECT_EQ(WEXITSTATUS(status), 130) << read_bytes(log);
    EXPECT_NE(read_bytes(log).find("interrupted at step"), std::string::npos) << read_bytes(log);

    ASSERT_TRUE(fs::exists(dir / "D" / "checkpoint.engck"));
    const nlohmann::json d = read_json(dir / "D" / "run.json");
    EXPECT_EQ(d.at("interrupted"), true);
    EXPECT_FALSE(has_temporary_file(dir / "D", "."));
    const std::uint64_t end = d.at("end_step").get<std::uint64_t>();
    EXPECT_LT(end, 100000000u);
    EXPECT_EQ(fs::file_size(dir / "D" / "steps.bin"), end * 32);

    const auto e = engram_run(net + " --resume " + dir.str("D/checkpoint.engck") + " --steps 10 --quiet -o " + dir.str("E"));
    ASSERT_EQ(e.code, 0) << e.err;
    const nlohmann::json je = read_json(dir / "E" / "run.json");
    EXPECT_EQ(je.at("first_step").get<std::uint64_t>(), end);
    EXPECT_EQ(je.at("end_step").get<std::uint64_t>(), end + 10);
    EXPECT_EQ(je.at("interrupted"), false);
}

TEST(cli_run, bad_input_is_refused_with_one_line_and_exit_code_1) {
    const temp_dir dir;
    const std::string single = example("single_neuron");
    const std::string out = " -o " + dir.str("out");

    const auto no_steps = engram_run(single + out);
    expect_one_line_refusal(no_steps, "no --steps");
    EXPECT_NE(no_steps.err.find("--steps"), std::string::npos) << no_steps.err;
    expect_one_line_refusal(engram_run(single + " --steps many" + out), "--steps many");
    expect_one_line_refusal(engram_run(single + " --steps 10 --threads 0" + out), "--threads 0");
    expect_one_line_refusal(engram_run(single + " --steps 10"), "no output folder");
    expect_one_line_refusal(engram_run(dir.str("missing.json") + " --steps 10" + out), "missing network");

    const auto unknown = engram_run(single + " --steps 10 --probe 'nosuchpop[0]'" + out);
    expect_one_line_refusal(unknown, "--probe nosuchpop[0]");
    EXPECT_NE(unknown.err.find("\"nosuchpop\""), std::string::npos) << unknown.err;
    EXPECT_NE(unknown.err.find("populations: "), std::string::npos) << unknown.err;
    const auto typo = engram_run(single + " --steps 10 --probe 'neuronn[0]'" + out);
    expect_one_line_refusal(typo, "--probe neuronn[0]");
    EXPECT_NE(typo.err.find("did you mean \"neuron\""), std::string::npos) << typo.err;
    expect_one_line_refusal(engram_run(single + " --steps 10 --probe 'neuron[5]'" + out), "--probe outside the population");

    // A checkpoint of another network, and a damaged one.
    ASSERT_EQ(engram_run(single + " --steps 20 --quiet --checkpoint-every 10 -o " + dir.str("ck")).code, 0);
    const std::string checkpoint = dir.str("ck/checkpoint.engck");
    const auto other = engram_run(example("vogels_abbott_cuba") + " --steps 10 --resume " + checkpoint + out);
    expect_one_line_refusal(other, "checkpoint of another network");
    EXPECT_NE(other.err.find("another chip image"), std::string::npos) << other.err;
    const std::string bytes = read_bytes(checkpoint);
    ASSERT_GT(bytes.size(), 40u);
    std::ofstream(dir / "short.engck", std::ios::binary) << bytes.substr(0, bytes.size() - 7);
    expect_one_line_refusal(engram_run(single + " --steps 10 --resume " + dir.str("short.engck") + out),
                            "truncated checkpoint");
    std::ofstream(dir / "header.engck", std::ios::binary) << bytes.substr(0, 12);
    expect_one_line_refusal(engram_run(single + " --steps 10 --resume " + dir.str("header.engck") + out),
                            "checkpoint cut inside its header");
    expect_one_line_refusal(engram_run(single + " --steps 10 --resume " + dir.str("none.engck") + out),
                            "missing checkpoint");
    // The refused runs left no output behind.
    EXPECT_FALSE(fs::exists(dir / "out" / "run.json"));

    // engram power of a folder that is not a run's.
    expect_one_line_refusal(run("power /nonexistent"), "power /nonexistent");
    expect_one_line_refusal(run("power " + dir.str("ck") + " " + dir.str("ck")), "power with two folders");
    nlohmann::json broken = read_json(dir / "ck" / "run.json");
    broken["activity"]["chip"].erase("clock_mhz");
    fs::create_directories(dir / "broken");
    std::ofstream(dir / "broken" / "run.json") << broken.dump();
    const auto power = run("power " + dir.str("broken"));
    expect_one_line_refusal(power, "power with a damaged run.json");
    EXPECT_NE(power.err.find("/chip/clock_mhz"), std::string::npos) << power.err;

    // An image holds its chip: --chip is refused for one.
    ASSERT_EQ(run("compile " + single + " --chip tiny -o " + dir.str("single.img")).code, 0);
    const auto chip = engram_run(dir.str("single.img") + " --steps 10 --chip tiny" + out);
    expect_one_line_refusal(chip, "an image with --chip");
    EXPECT_NE(chip.err.find("--chip"), std::string::npos) << chip.err;
    // Without --chip the image runs.
    const auto image = run("run " + dir.str("single.img") + " --steps 10 --quiet -o " + dir.str("img_out"));
    EXPECT_EQ(image.code, 0) << image.err;
}

TEST(cli_run, weights_and_state_are_recorded_as_documented) {
    const temp_dir dir;
    // CUBA's exc_exc projection: its weights at steps 0, 100 and 200 (not
    // plastic, so the three snapshots are equal but for the step), and the
    // state of four neurons every 10 steps.
    const auto r = engram_run(example("vogels_abbott_cuba") +
                              " --steps 200 --quiet --no-csv --record-weights exc_exc --weights-every 100"
                              " --probe exc[0..3] --probe-every 10 -o " + dir.str("out"));
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json j = read_json(dir / "out" / "run.json");
    const std::uint64_t records = j.at("recorded").at("weight_records").get<std::uint64_t>();
    ASSERT_GT(records, 0u);
    ASSERT_EQ(records % 3, 0u);
    const std::string weights = read_bytes(dir / "out" / "weights.bin");
    ASSERT_EQ(weights.size(), records * 32);
    const std::uint64_t per_snapshot = records / 3;
    struct record {
        std::int32_t step, projection, pre, post, weight, weight_frac, tag, delay;
    };
    std::vector<record> rows(records);
    std::memcpy(rows.data(), weights.data(), weights.size());
    for (std::uint64_t i = 0; i < records; ++i) {
        const record& w = rows[i];
        EXPECT_EQ(w.step, static_cast<std::int32_t>(100 * (i / per_snapshot)));
        EXPECT_EQ(w.projection, 0);  // exc_exc is the first projection
        EXPECT_GE(w.pre, 0);
        EXPECT_LT(w.pre, 3200);
        EXPECT_GE(w.post, 0);
        EXPECT_LT(w.post, 3200);
        EXPECT_GT(w.weight, 0);  // excitatory mantissas are positive, none rounded to zero
        EXPECT_EQ(w.delay, 2);   // 0.2 ms at dt 0.1 ms
        if (i >= per_snapshot) {
            const record& first = rows[i % per_snapshot];
            EXPECT_EQ(std::tie(w.pre, w.post, w.weight), std::tie(first.pre, first.post, first.weight));
        }
    }
    // About 2 % of 3,200 x 3,199 pairs.
    EXPECT_GT(per_snapshot, 190'000u);
    EXPECT_LT(per_snapshot, 220'000u);

    const std::string state = read_bytes(dir / "out" / "state.bin");
    ASSERT_EQ(state.size(), 20u * 4u * 28u);  // steps 0, 10, ..., 190; four neurons; 28 bytes each
    std::int32_t first[7];
    std::memcpy(first, state.data(), sizeof first);
    EXPECT_EQ(first[0], 0);  // step
    EXPECT_EQ(first[1], 0);  // population exc
    EXPECT_EQ(first[2], 0);  // neuron 0
}

TEST(cli_run, write_network_writes_the_learned_weights_as_a_static_network) {
    const temp_dir dir;
    const std::string learned = dir.str("learned.json");
    // Song et al.'s pair STDP: 1,000 plastic synapses; weights recorded at
    // the start and at the end of the same run.
    const auto r = engram_run(example("stdp_song2000") +
                              " --steps 2000 --quiet --no-csv --record-weights input_synapses --weights-every 2000"
                              " --write-network " + learned + " -o " + dir.str("out"));
    ASSERT_EQ(r.code, 0) << r.err;
    const nlohmann::json original = read_json(example("stdp_song2000"));
    const nlohmann::json net = read_json(learned);
    const nlohmann::json run_json = read_json(dir / "out" / "run.json");
    const double lsb = run_json.at("projections").at(0).at("weight_lsb_na").get<double>();
    const double dt = run_json.at("dt_ms").get<double>();

    // Only the plastic projection changed; the rule it used is gone.
    EXPECT_FALSE(net.contains("plasticity"));
    for (const char* key: {"format", "name", "description", "dt", "seed", "populations", "recording"}) {
        EXPECT_EQ(net.at(key), original.at(key)) << key;
    }
    ASSERT_EQ(net.at("projections").size(), 1u);
    const nlohmann::json& proj = net.at("projections").at(0);
    EXPECT_FALSE(proj.contains("plasticity"));
    EXPECT_EQ(proj.at("name"), "input_synapses");
    EXPECT_EQ(proj.at("receptor"), "excitatory");
    ASSERT_EQ(proj.at("connector").at("type"), "FromList");
    const nlohmann::json& connections = proj.at("connector").at("connections");

    // The final snapshot of weights.bin, synapse by synapse.
    const std::string weights = read_bytes(dir / "out" / "weights.bin");
    struct record {
        std::int32_t step, projection, pre, post, weight, weight_frac, tag, delay;
    };
    std::vector<record> rows(weights.size() / sizeof(record));
    std::memcpy(rows.data(), weights.data(), rows.size() * sizeof(record));
    ASSERT_EQ(rows.size(), 2000u);  // 1,000 synapses at steps 0 and 2000
    std::map<std::pair<std::int32_t, std::int32_t>, const record*> final_weights;
    std::size_t changed = 0;
    for (std::size_t i = 1000; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].step, 2000);
        final_weights[{rows[i].pre, rows[i].post}] = &rows[i];
        changed += rows[i].weight != rows[i - 1000].weight ? 1 : 0;
    }
    EXPECT_GT(changed, 0u) << "STDP changed no weight in 2,000 steps";
    ASSERT_EQ(connections.size(), 1000u);
    ASSERT_EQ(final_weights.size(), 1000u);
    std::pair<std::int32_t, std::int32_t> previous{-1, -1};
    for (const auto& c: connections) {
        ASSERT_EQ(c.size(), 4u);
        const std::pair<std::int32_t, std::int32_t> key{c[0].get<std::int32_t>(), c[1].get<std::int32_t>()};
        EXPECT_LT(previous, key) << "connections are sorted by pre, then post";
        previous = key;
        const auto it = final_weights.find(key);
        ASSERT_NE(it, final_weights.end()) << c.dump();
        EXPECT_DOUBLE_EQ(c[2].get<double>(), std::abs(it->second->weight) * lsb) << c.dump();
        EXPECT_DOUBLE_EQ(c[3].get<double>(), it->second->delay * dt) << c.dump();
    }

    // The learned network loads, compiles and runs as a static network; its
    // weights are the listed ones, to within half its own weight LSB.
    const auto check = run("compile " + learned + " --check");
    EXPECT_EQ(check.code, 0) << check.err;
    const auto compiled = run("compile " + learned + " -o " + dir.str("learned.img"));
    EXPECT_EQ(compiled.code, 0) << compiled.err;
    const auto again = engram_run(learned + " --steps 200 --quiet --no-csv --record-weights input_synapses"
                                  " --weights-every 200 -o " + dir.str("again"));
    ASSERT_EQ(again.code, 0) << again.err;
    const nlohmann::json again_json = read_json(dir / "again" / "run.json");
    const double again_lsb = again_json.at("projections").at(0).at("weight_lsb_na").get<double>();
    const std::string again_weights = read_bytes(dir / "again" / "weights.bin");
    std::vector<record> again_rows(again_weights.size() / sizeof(record));
    std::memcpy(again_rows.data(), again_weights.data(), again_rows.size() * sizeof(record));
    ASSERT_EQ(again_rows.size(), 2000u);
    for (std::size_t i = 0; i < 1000; ++i) {
        const record& w = again_rows[i];
        const auto it = final_weights.find({w.pre, w.post});
        ASSERT_NE(it, final_weights.end());
        EXPECT_NEAR(w.weight * again_lsb, it->second->weight * lsb, again_lsb / 2 + 1e-12);
        EXPECT_EQ(w.tag, 0);
        EXPECT_EQ(w.weight, again_rows[i + 1000].weight) << "the learned network is static";
    }
}

TEST(cli_run, write_network_with_an_image_input_is_refused) {
    const temp_dir dir;
    ASSERT_EQ(run("compile " + example("stdp_song2000") + " -o " + dir.str("song.img")).code, 0);
    const auto r = engram_run(dir.str("song.img") + " --steps 10 --write-network " + dir.str("learned.json") +
                              " -o " + dir.str("out"));
    expect_one_line_refusal(r, "--write-network with an image");
    EXPECT_NE(r.err.find("--write-network"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "learned.json"));
}
