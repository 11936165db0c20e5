// engram client: talk to `engram serve` (docs/protocol.md) through the
// engram_server client library.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/server/client.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram client COMMAND [ARGS] --port P [--host H]

Talks to `engram serve` (docs/protocol.md). Commands:

  status                       the server's step, mode, lag and populations (JSON)
  counters                     the server's counters (JSON)
  run [N]                      run N steps and wait for them (no N: run continuously)
  step | pause | checkpoint | stop
  inject SPIKES --population NAME [--offset K]
                               send the spikes of a spike file (lines "neuron,time_ms",
                               the format of a SpikeSourceArray's spike_times_file)
                               as timestamped events, step = round(time / dt) + K
  reward --population NAME [--amplitude A] [--step S]
                               a Modulator event of amplitude A (default 1) at step S
                               (default: the next step)
  record -o FILE|- [--populations a,b] [--run N]
                               subscribe and write the streamed spikes as CSV
                               (step,population,neuron); with --run N, run N steps
                               and stop recording when they are done, else record
                               until the server closes the connection

  --port P       the server's port (required)
  --host H       the server's address (default 127.0.0.1)

Replies are printed as JSON; an error reply exits with code 1.
)";

std::uint64_t number(const std::string& option, const std::string& text) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        throw usage_error("engram client: " + option + " expects a whole number, found \"" + text + "\"");
    }
    return v;
}

int print_reply(const nlohmann::json& reply) {
    std::printf("%s\n", reply.dump(2).c_str());
    if (reply.value("ok", false)) {
        return 0;
    }
    std::fprintf(stderr, "engram client: the server replied %s: %s\n", reply.value("error", "?").c_str(),
                 reply.value("message", "").c_str());
    return 1;
}

} // namespace

int run_client(std::span<const std::string_view> args) {
    std::vector<std::string_view> normalized(args.begin(), args.end());
    for (auto& a: normalized) {
        if (a == "-o") {
            a = "--output";
        }
    }
    const arguments a(normalized, {"--help"},
                      {"--port", "--host", "--population", "--offset", "--amplitude", "--step", "--output",
                       "--populations", "--run"},
                      "client");
    if (a.flag("--help") || a.positional().empty()) {
        std::fputs(help, a.flag("--help") ? stdout : stderr);
        return a.flag("--help") ? 0 : 1;
    }
    const std::string what = a.positional().front();
    const std::vector<std::string> rest(a.positional().begin() + 1, a.positional().end());
    if (!a.option("--port")) {
        throw usage_error("engram client: say which port the server listens on with --port P");
    }
    const auto port = number("--port", *a.option("--port"));
    if (port == 0 || port > 65535) {
        throw usage_error("engram client: --port expects 1..65535, found " + std::to_string(port));
    }
    const auto expect_args = [&](std::size_t most) {
        if (rest.size() > most) {
            throw usage_error("engram client " + what + ": unexpected argument \"" + rest[most] + "\"");
        }
    };
    using server::command;
    using server::command_kind;
    const std::vector<std::string> known = {"status", "counters", "step",   "pause", "checkpoint",
                                            "stop",   "run",      "inject", "reward", "record"};
    if (std::find(known.begin(), known.end(), what) == known.end()) {
        throw usage_error("engram client: unknown command \"" + what + "\" (see engram client --help)");
    }
    server::client c(a.option("--host").value_or("127.0.0.1"), static_cast<std::uint16_t>(port));

    const std::map<std::string, command_kind> simple = {
        {"status", command_kind::status}, {"counters", command_kind::counters}, {"step", command_kind::step},
        {"pause", command_kind::pause},   {"checkpoint", command_kind::checkpoint}, {"stop", command_kind::stop}};
    if (const auto it = simple.find(what); it != simple.end()) {
        expect_args(0);
        return print_reply(c.request(server::make_command(it->second)));
    }
    if (what == "run") {
        expect_args(1);
        command cmd = server::make_command(command_kind::run);
        if (!rest.empty()) {
            cmd.steps = number("run", rest[0]);
        }
        return print_reply(c.request(cmd));
    }
    if (what == "inject") {
        expect_args(1);
        if (rest.empty() || !a.option("--population")) {
            throw usage_error("engram client inject: expected a spike file and --population NAME");
        }
        const std::uint16_t population = c.population(*a.option("--population"));
        const std::uint64_t offset = a.option("--offset") ? number("--offset", *a.option("--offset")) : 0;
        const auto spikes = server::read_spike_file(rest[0], c.dt_ms());
        std::size_t frames = 0;
        for (std::size_t i = 0; i < spikes.size();) {
            std::vector<server::event> events;
            const std::uint64_t step = spikes[i].first;
            for (; i < spikes.size() && spikes[i].first == step; ++i) {
                events.push_back({population, 0, spikes[i].second});
            }
            c.inject(step + offset, events);
            ++frames;
        }
        // A status round trip: every frame before it has been taken (or refused).
        const nlohmann::json status = c.request(server::make_command(command_kind::status));
        for (const nlohmann::json& n: c.notices()) {
            return print_reply(n);
        }
        std::printf("sent %zu events in %zu frames; the server is at step %llu\n", spikes.size(), frames,
                    static_cast<unsigned long long>(status["step"].get<std::uint64_t>()));
        return 0;
    }
    if (what == "reward") {
        expect_args(0);
        if (!a.option("--population")) {
            throw usage_error("engram client reward: name the Modulator population with --population NAME");
        }
        command cmd = server::reward_command(*a.option("--population"));
        if (const auto amp = a.option("--amplitude")) {
            double v = -1;
            const auto [end, ec] = std::from_chars(amp->data(), amp->data() + amp->size(), v);
            if (ec != std::errc() || end != amp->data() + amp->size() || !(v >= 0 && v <= 1)) {
                throw usage_error("engram client reward: --amplitude expects a number in [0, 1], found \"" + *amp + "\"");
            }
            cmd.payload = static_cast<std::uint8_t>(std::lround(v * 255.0));
        }
        if (const auto s = a.option("--step")) {
            cmd.at = number("--step", *s);
        }
        return print_reply(c.request(cmd));
    }
    if (what == "record") {
        expect_args(0);
        if (!a.option("--output")) {
            throw usage_error("engram client record: name the output file with -o FILE (- for stdout)");
        }
        const nlohmann::json status = c.request(server::make_command(command_kind::status));
        std::vector<std::string> names;
        for (const auto& p: status["populations"]) {
            names.push_back(p["name"].get<std::string>());
        }
        command sub = server::make_command(command_kind::subscribe);
        if (const auto p = a.option("--populations")) {
            sub.populations = split_list(*p);
        }
        if (const auto r = c.request(sub); !r.value("ok", false)) {
            return print_reply(r);
        }
        const std::string file = *a.option("--output");
        std::ofstream out_file;
        if (file != "-") {
            out_file.open(file);
            if (!out_file) {
                throw file_error(file, "cannot write");
            }
        }
        std::ostream& out = file == "-" ? std::cout : out_file;
        out << "step,population,neuron\n";
        std::uint64_t written = 0;
        const auto write_frames = [&] {
            for (const server::event_frame& f: c.frames()) {
                for (const server::event& e: f.events) {
                    out << f.step << ',' << (e.population < names.size() ? names[e.population] : "?") << ','
                        << e.neuron << '\n';
                    ++written;
                }
            }
            c.frames().clear();
        };
        if (const auto n = a.option("--run")) {
            const nlohmann::json r = c.request(server::run_command(number("--run", *n)));
            write_frames();
            if (!r.value("ok", false)) {
                return print_reply(r);
            }
        } else {
            while (auto m = c.next()) {
                if (auto* f = std::get_if<server::event_frame>(&*m)) {
                    c.frames().push_back(std::move(*f));
                    write_frames();
                }
            }
        }
        std::fprintf(stderr, "recorded %llu spikes\n", static_cast<unsigned long long>(written));
        return 0;
    }
    throw usage_error("engram client: unknown command \"" + what + "\" (see engram client --help)");
}

} // namespace engram::cli
