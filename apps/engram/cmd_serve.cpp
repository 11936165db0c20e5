// engram serve: run a chip image live behind the wire protocol of
// docs/protocol.md (engram_server does the work).
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <engram/server/engine.hpp>
#include <engram/server/server.hpp>

#include "cli.hpp"
#include "run_input.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram serve IMAGE|NETWORK.json [--chip PRESET|CHIP.json] --port P [options]

Runs a chip image (a network description is compiled first, for --chip,
default loihi-like) live: clients connect over TCP to send control commands
(line-delimited JSON: run N, run continuously, pause, step, status, counters,
reward, checkpoint, stop, subscribe) and binary event frames that inject
spikes into SpikeSourceArray and Modulator populations; subscribed clients
get the output spikes of each step, over TCP or UDP. The same port takes
inject frames over UDP. docs/protocol.md gives the byte layouts.

The simulation starts paused at step 0 (or at the --resume checkpoint).

  --port P               TCP and UDP port (0: any free port, printed)
  --bind ADDR            address to listen on (default 127.0.0.1: loopback only)
  --chip X               chip for a NETWORK.json (preset name or chip file)
  --real-time            one step per dt of wall-clock time (the lag is reported
                         by status); default: as fast as possible
  --checkpoint FILE      where `checkpoint` and the final checkpoint (on stop,
                         SIGINT or SIGTERM) are written
  --resume CHECKPOINT    start from a checkpoint of the same image
  --threads T            simulation worker threads (default 1)
  --max-connections N    connection cap (default 256)
  --idle-timeout S       close connections idle for S seconds (default 600)
  --message-timeout S    close connections that leave a message incomplete
                         for S seconds (default 10)
  --no-udp               no UDP socket
  --quiet                no start and stop lines
  --help                 show this help

SIGINT or SIGTERM stops the server gracefully: the simulation stops after
the current step, the final checkpoint is written (with --checkpoint),
clients get their pending replies, and the program exits with code 0.
)";

std::uint64_t count_of(const std::string& option, const std::string& text, std::uint64_t min, std::uint64_t max) {
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || v < min || v > max) {
        throw usage_error("engram serve: " + option + " expects a whole number in " + std::to_string(min) + ".." +
                          std::to_string(max) + ", found \"" + text + "\"");
    }
    return v;
}

} // namespace

int run_serve(std::span<const std::string_view> args) {
    const arguments a(args, {"--help", "--real-time", "--no-udp", "--quiet"},
                      {"--chip", "--port", "--bind", "--checkpoint", "--resume", "--threads", "--max-connections",
                       "--idle-timeout", "--message-timeout"},
                      "serve");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram serve: expected one image or network file, found " +
                          std::to_string(a.positional().size()) + " (see engram serve --help)");
    }
    if (!a.option("--port")) {
        throw usage_error("engram serve: say which port to listen on with --port P (0: any free port)");
    }
    const bool quiet = a.flag("--quiet");
    server::server_options so;
    so.port = static_cast<std::uint16_t>(count_of("--port", *a.option("--port"), 0, 65535));
    so.bind = a.option("--bind").value_or("127.0.0.1");
    so.udp = !a.flag("--no-udp");
    so.handle_signals = true;
    so.max_connections = count_of("--max-connections", a.option("--max-connections").value_or("256"), 1, 100000);
    so.idle_timeout = std::chrono::seconds(count_of("--idle-timeout", a.option("--idle-timeout").value_or("600"), 1,
                                                    86400 * 365));
    so.message_timeout = std::chrono::seconds(
        count_of("--message-timeout", a.option("--message-timeout").value_or("10"), 1, 86400));
    server::engine_options eo;
    eo.real_time = a.flag("--real-time");
    if (const auto file = a.option("--checkpoint")) {
        eo.checkpoint_file = *file;
    }
    emulator::simulation_options sim;
    sim.threads = static_cast<unsigned>(count_of("--threads", a.option("--threads").value_or("1"), 1, 256));

    const run_input input = load_run_input(a.positional().front(), a.option("--chip"), quiet, "serve");
    server::server_counters counters;
    server::engine eng(input.image, sim, eo, counters);
    if (const auto resume = a.option("--resume")) {
        std::ifstream in(*resume, std::ios::binary);
        if (!in) {
            throw file_error(*resume, "cannot open the checkpoint");
        }
        const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        eng.restore(bytes, *resume);
    }
    server::server srv(eng, counters, so);
    if (!quiet) {
        std::printf("serving \"%s\" (%s) on %s port %u (TCP%s), %s, at step %llu\n", input.image.network_name.c_str(),
                    input.description.c_str(), so.bind.c_str(), static_cast<unsigned>(srv.port()),
                    so.udp ? " and UDP" : "", eo.real_time ? "real time" : "as fast as possible",
                    static_cast<unsigned long long>(eng.simulation().step()));
        std::fflush(stdout);
    }
    srv.run();
    if (!quiet) {
        std::printf("stopped at step %llu%s%s; %llu events injected (%llu late, %llu dropped), %llu spikes streamed, "
                    "%llu connections\n",
                    static_cast<unsigned long long>(eng.simulation().step()),
                    eo.checkpoint_file.empty() ? "" : ", checkpoint ", eo.checkpoint_file.string().c_str(),
                    static_cast<unsigned long long>(counters.events_injected.load()),
                    static_cast<unsigned long long>(counters.events_late.load()),
                    static_cast<unsigned long long>(counters.events_dropped.load()),
                    static_cast<unsigned long long>(counters.spikes_streamed.load()),
                    static_cast<unsigned long long>(counters.connections_accepted.load()));
    }
    return 0;
}

} // namespace engram::cli
