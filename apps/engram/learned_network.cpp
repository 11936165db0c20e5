#include "learned_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <engram/common/atomic_file.hpp>
#include <engram/common/error.hpp>
#include <engram/common/json_input.hpp>
#include <engram/emulator/run_output.hpp>
#include <engram/isa/chip_image.hpp>

namespace engram::cli {

learned_network_summary make_learned_network(nlohmann::ordered_json& network, const emulator::simulation& sim) {
    const isa::chip_image& image = sim.image();
    learned_network_summary summary;
    if (!network.contains("projections")) {
        return summary;
    }
    nlohmann::ordered_json& projections = network["projections"];
    if (!projections.is_array() || projections.size() != image.projections.size()) {
        throw std::logic_error("write_learned_network: the description has " + std::to_string(projections.size()) +
                               " projections, the image " + std::to_string(image.projections.size()));
    }
    std::set<std::string> dropped_rules;
    for (std::uint32_t p = 0; p < projections.size(); ++p) {
        nlohmann::ordered_json& proj = projections[p];
        const isa::image_projection& ip = image.projections[p];
        const std::string name =
            proj.contains("name") ? proj["name"].get<std::string>() : "projection" + std::to_string(p);
        if (name != ip.name) {
            throw std::logic_error("write_learned_network: projection " + std::to_string(p) + " is \"" + name +
                                   "\" in the description, \"" + ip.name + "\" in the image");
        }
        if (!proj.contains("plasticity")) {
            continue;
        }
        dropped_rules.insert(proj["plasticity"].get<std::string>());
        std::vector<emulator::learned_synapse> synapses = emulator::read_projection(sim, p);
        std::stable_sort(synapses.begin(), synapses.end(), [](const auto& a, const auto& b) {
            return std::tie(a.pre, a.post) < std::tie(b.pre, b.post);
        });
        nlohmann::ordered_json connections = nlohmann::ordered_json::array();
        double largest = 0;
        std::uint32_t shortest = 0;
        for (const emulator::learned_synapse& s: synapses) {
            const double weight = std::abs(static_cast<double>(s.weight)) * ip.weight_lsb_na;
            const double delay = static_cast<double>(s.delay) * image.dt_ms;
            connections.push_back({s.pre, s.post, weight, delay});
            largest = std::max(largest, weight);
            shortest = shortest == 0 ? s.delay : std::min(shortest, s.delay);
        }
        nlohmann::ordered_json connector = nlohmann::ordered_json::object();
        connector["type"] = "FromList";
        connector["connections"] = std::move(connections);
        proj["connector"] = std::move(connector);
        proj["weight"] = largest;
        if (shortest > 0) {
            proj["delay"] = static_cast<double>(shortest) * image.dt_ms;
        } else {
            proj.erase("delay");
        }
        proj.erase("plasticity");
        summary.projections.push_back(p);
        summary.synapses += synapses.size();
    }
    // Rules the rewritten projections used, unless another projection still names them.
    for (const auto& proj: projections) {
        if (proj.contains("plasticity")) {
            dropped_rules.erase(proj["plasticity"].get<std::string>());
        }
    }
    if (network.contains("plasticity") && network["plasticity"].is_array()) {
        nlohmann::ordered_json kept = nlohmann::ordered_json::array();
        for (const auto& rule: network["plasticity"]) {
            if (!(rule.contains("name") && dropped_rules.count(rule["name"].get<std::string>()) != 0)) {
                kept.push_back(rule);
            }
        }
        if (kept.empty()) {
            network.erase("plasticity");
        } else {
            network["plasticity"] = std::move(kept);
        }
    }
    return summary;
}

nlohmann::ordered_json read_network_document(const std::filesystem::path& network_file) {
    const json_input::limits limits;
    const std::string text = json_input::read_file(network_file, limits.max_bytes);
    try {
        return nlohmann::ordered_json::parse(text);
    } catch (const nlohmann::ordered_json::parse_error& e) {
        throw file_error(network_file.string(), std::string("cannot parse the network description: ") + e.what());
    }
}

learned_network_summary write_learned_network(nlohmann::ordered_json network, const std::filesystem::path& out,
                                              const emulator::simulation& sim) {
    const learned_network_summary summary = make_learned_network(network, sim);
    // Thousands of [pre, post, weight, delay] rows read best one per line:
    // dump with placeholders, then put the rows in.
    std::vector<std::pair<std::string, nlohmann::ordered_json>> lists;
    for (const std::size_t p: summary.projections) {
        nlohmann::ordered_json& connections = network["projections"][p]["connector"]["connections"];
        std::string token = "@engram-learned-connections-" + std::to_string(p) + "@";
        lists.emplace_back(token, std::move(connections));
        connections = token;
    }
    std::string text = network.dump(2) + "\n";
    for (const auto& [token, connections]: lists) {
        const std::string quoted = "\"" + token + "\"";
        const std::size_t at = text.find(quoted);
        if (at == std::string::npos) {
            throw std::logic_error("write_learned_network: lost the placeholder " + token);
        }
        const std::size_t line = text.rfind('\n', at) + 1;
        const std::size_t indent = text.find_first_not_of(' ', line) - line;
        std::string rows = "[";
        for (std::size_t i = 0; i < connections.size(); ++i) {
            rows += (i == 0 ? "\n" : ",\n") + std::string(indent + 2, ' ') + connections[i].dump();
        }
        rows += connections.empty() ? "]" : "\n" + std::string(indent, ' ') + "]";
        text.replace(at, quoted.size(), rows);
    }
    write_text_file(out, text, "learned network");
    return summary;
}

} // namespace engram::cli
