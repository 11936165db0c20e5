#include <charconv>
#include <iostream>
#include <string>
#include <string_view>

#include <engram/isa/chip_image.hpp>
#include <engram/isa/image_print.hpp>

#include "cli.hpp"

namespace engram::cli {

namespace {

constexpr const char* help = R"(Usage: engram inspect IMAGE [--core N | --core X,Y] [--synapses] [--routes] [--microcode] [--all]

Prints a chip image readably: the network, the chip and its grid, totals,
the populations and projections, and one line per core with what it uses of
each per-core limit. IMAGE "-" reads the image from stdin.
  --core N, --core X,Y   details of one core, by id or by grid position:
                         its neurons, profiles, trace profiles and sources
  --synapses             the input map and every synapse row
  --routes               the routing tables, with the keys each entry matches
  --microcode            the learning rules, disassembled
  --all                  --synapses --routes --microcode
Without --core, --synapses, --routes and --microcode show every core.
)";

std::optional<std::uint32_t> parse_index(std::string_view text) {
    std::uint32_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::uint32_t resolve_core(const isa::chip_image& image, const std::string& value) {
    const std::string cores = image.cores.empty() ? std::string("no cores")
                                                  : "cores 0.." + std::to_string(image.cores.size() - 1);
    if (const auto comma = value.find(','); comma != std::string::npos) {
        const auto x = parse_index(std::string_view(value).substr(0, comma));
        const auto y = parse_index(std::string_view(value).substr(comma + 1));
        if (!x || !y) {
            throw usage_error("engram inspect: --core " + value + ": expected a core id N or a position X,Y");
        }
        const auto id = isa::find_core(image, *x, *y);
        if (!id) {
            throw usage_error("engram inspect: --core " + value + ": no core of the image sits at (" +
                              std::to_string(*x) + "," + std::to_string(*y) + ")");
        }
        return *id;
    }
    const auto id = parse_index(value);
    if (!id) {
        throw usage_error("engram inspect: --core " + value + ": expected a core id N or a position X,Y");
    }
    if (*id >= image.cores.size()) {
        throw usage_error("engram inspect: --core " + value + ": the image has " + cores);
    }
    return *id;
}

} // namespace

int run_inspect(std::span<const std::string_view> args) {
    const arguments a(args, {"--help", "--synapses", "--routes", "--microcode", "--all"}, {"--core"}, "inspect");
    if (a.flag("--help")) {
        std::fputs(help, stdout);
        return 0;
    }
    if (a.positional().size() != 1) {
        throw usage_error("engram inspect: expected one chip image file (see engram inspect --help)");
    }
    const isa::chip_image image = isa::read_image(a.positional().front());
    isa::print_options options;
    const bool all = a.flag("--all");
    options.synapses = all || a.flag("--synapses");
    options.routes = all || a.flag("--routes");
    options.microcode = all || a.flag("--microcode");
    if (const auto core = a.option("--core")) {
        options.core = resolve_core(image, *core);
    }
    isa::print_image(std::cout, image, options);
    std::cout.flush();
    return 0;
}

} // namespace engram::cli
