// engram power OUTDIR: the energy and timing report of a finished run.
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/emulator/energy.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram power OUTDIR [--json]

Prints the energy and timing report of a run (the folder `engram run -o`
wrote): total energy, the breakdown by operation, by population and the
busiest core, average power at real time and at the chip's fastest speed,
the synaptic term N*r*k*E_syn, and the step time with its bottleneck. The
figures come from OUTDIR/run.json and the chip's energy and timing figures
stored there (docs/power.md).

  --json   the report as JSON on stdout
  --help   show this help
)";

} // namespace

int run_power(std::span<const std::string_view> args) {
    const arguments a(args, {"--help", "--json"}, {}, "power");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram power: expected one run folder, found " + std::to_string(a.positional().size()) +
                          " (see engram power --help)");
    }
    const std::string file = (std::filesystem::path(a.positional().front()) / "run.json").string();
    std::ifstream in(file);
    if (!in) {
        throw file_error(file, "cannot open (is " + a.positional().front() + " the output folder of engram run?)");
    }
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.str());
    } catch (const nlohmann::json::parse_error& e) {
        throw input_error(file, "", std::string("not valid JSON: ") + e.what());
    }
    if (!j.is_object() || !j.contains("activity")) {
        throw input_error(file, "/activity", "missing (is this the run.json of an engram run?)");
    }
    const emulator::activity act = emulator::activity_from_json(j["activity"], file + " /activity");
    const emulator::energy_report r = emulator::compute_energy(act);
    if (a.flag("--json")) {
        std::printf("%s\n", emulator::to_json(r).dump(2).c_str());
    } else {
        std::fputs(emulator::summary(r, act).c_str(), stdout);
    }
    return 0;
}

} // namespace engram::cli
