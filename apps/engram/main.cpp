// engram: one program, subcommands. It only parses arguments and calls the
// libraries. Exit codes: 0 ok, 1 user error, 2 internal error.

#include <cstdio>
#include <exception>
#include <string_view>
#include <vector>

#include <engram/common/error.hpp>

#include "cli.hpp"

namespace {

constexpr std::string_view usage = R"(engram — neuromorphic chip compiler and emulator

Usage: engram <command> [options]

Commands:
  compile   check a network description against a chip
            (engram compile --check NETWORK.json --chip PRESET|CHIP.json)
  chips     list the chip presets, or show one (engram chips [NAME] [--json])
  inspect   print a chip image readably
            (engram inspect IMAGE [--core N|X,Y] [--synapses] [--routes] [--microcode] [--all])
  run       emulate an image (or a network, compiled first) and record spikes, state, counters
            (engram run IMAGE|NETWORK.json [--chip X] --steps N [--threads T] -o OUTDIR)
  power     energy and timing report of a run (engram power OUTDIR [--json])
  serve     run an image live for clients over TCP/UDP (docs/protocol.md)
            (engram serve IMAGE|NETWORK.json [--chip X] --port P [--bind ADDR] [--real-time])
  client    talk to a server: status, run, inject a spike file, reward, record
            (engram client status|run|inject|reward|record … --port P)
  cosim     run one core as RTL beside the emulator, bit for bit (engram cosim IMAGE --core X,Y)

Options:
  -h, --help     show this help (also: engram <command> --help)
  --version      print the version

Exit codes: 0 success, 1 bad input or does not fit, 2 internal error.
Documentation: docs/ in the source tree (network and chip formats, numerics, ISA, chip image).
)";

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    try {
        if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
            std::fputs(usage.data(), args.empty() ? stderr : stdout);
            return args.empty() ? 1 : 0;
        }
        if (args[0] == "--version") {
            std::printf("engram %s\n", ENGRAM_VERSION);
            return 0;
        }
        const std::string_view command = args[0];
        const std::span<const std::string_view> rest(args.data() + 1, args.size() - 1);
        if (command == "compile") {
            return engram::cli::run_compile(rest);
        }
        if (command == "chips") {
            return engram::cli::run_chips(rest);
        }
        if (command == "inspect") {
            return engram::cli::run_inspect(rest);
        }
        if (command == "run") {
            return engram::cli::run_run(rest);
        }
        if (command == "power") {
            return engram::cli::run_power(rest);
        }
        if (command == "serve") {
            return engram::cli::run_serve(rest);
        }
        if (command == "client") {
            return engram::cli::run_client(rest);
        }
        if (command == "cosim") {
            return engram::cli::run_cosim(rest);
        }
        std::fprintf(stderr, "engram: unknown command \"%.*s\" (see engram --help)\n",
                     static_cast<int>(command.size()), command.data());
        return 1;
    }
    catch (const engram::user_error& e) {
        std::fprintf(stderr, "engram: %s\n", e.what());
        return 1;
    }
    catch (const std::exception& e) {
        std::fprintf(stderr, "engram: internal error: %s\n", e.what());
        return 2;
    }
}
