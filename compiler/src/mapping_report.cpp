#include <cstdio>

#include <nlohmann/json.hpp>

#include <engram/common/text.hpp>
#include <engram/compiler/compile.hpp>

namespace engram::compiler {

namespace {

std::string with_commas(double value) {
    return engram::with_commas(static_cast<std::uint64_t>(value + 0.5));
}


nlohmann::json position_json(grid_position p) {
    return {{"x", p.x}, {"y", p.y}};
}

std::string fixed(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

} // namespace

nlohmann::json to_json(const mapping_report& r) {
    nlohmann::json resources = nlohmann::json::array();
    for (const auto& res: r.resources) {
        resources.push_back({{"name", res.name},
                             {"limit", res.limit},
                             {"max", res.max},
                             {"mean", res.mean},
                             {"fullest_core", res.fullest_core},
                             {"fullest_at", position_json(res.fullest_at)}});
    }
    nlohmann::json candidates = nlohmann::json::array();
    for (const auto& c: r.partition_candidates) {
        nlohmann::json j = {{"method", c.method}, {"fits", c.fits}, {"chosen", c.method == r.partition_method}};
        if (c.fits) {
            j["cores"] = c.cores;
            j["inter_core_traffic_packets_per_s"] = c.inter_core_traffic;
        }
        else {
            j["error"] = c.error;
        }
        candidates.push_back(j);
    }
    return {{"format", "engram-mapping-report/1"},
            {"network", r.network},
            {"chip", r.chip},
            {"neurons", r.neurons},
            {"synapses", r.synapses},
            {"cores", {{"used", r.cores_used}, {"available", r.cores_available}}},
            {"chips_used", r.chips_used},
            {"partition", {{"method", r.partition_method}, {"mode", r.partition_mode}, {"candidates", candidates}}},
            {"resources", resources},
            {"placement",
             {{"traffic_packets_per_s", r.traffic},
              {"cost_pj_per_s", r.placement_cost},
              {"naive_cost_pj_per_s", r.naive_placement_cost},
              {"traffic_hops_per_s", r.traffic_hops},
              {"naive_traffic_hops_per_s", r.naive_traffic_hops},
              {"local_search", r.placement_searched}}},
            {"routing",
             {{"entries", r.route_entries},
              {"entries_before_compression", r.route_entries_before_compression},
              {"routers_with_entries", r.routers_with_entries},
              {"fullest_router_entries", r.fullest_router},
              {"fullest_router_at", position_json(r.fullest_router_at)}}},
            {"quantization", to_json(r.quantization)}};
}

std::string summary(const mapping_report& r) {
    std::string out;
    out += "mapped \"" + r.network + "\" onto chip \"" + r.chip + "\": " + with_commas(double(r.neurons)) +
           " neurons, " + with_commas(double(r.synapses)) + " synapses on " + std::to_string(r.cores_used) + " of " +
           with_commas(double(r.cores_available)) + " cores (" + std::to_string(r.chips_used) + " chip" +
           (r.chips_used == 1 ? "" : "s") + ")\n";
    out += "  resource            per core     max    mean  fullest core\n";
    for (const auto& res: r.resources) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-18s %9llu %7llu %7.1f  %u at (%u,%u)%s\n", res.name.c_str(),
                      static_cast<unsigned long long>(res.limit), static_cast<unsigned long long>(res.max), res.mean,
                      res.fullest_core, res.fullest_at.x, res.fullest_at.y,
                      res.limit > 0 && res.max * 10 >= res.limit * 9 ? "  (over 90%)" : "");
        out += line;
    }
    out += "  partition: " + r.partition_method + " (" + r.partition_mode + ")";
    for (const auto& c: r.partition_candidates) {
        out += "; " + c.method + " ";
        if (c.fits) {
            out += std::to_string(c.cores) + " cores, " + with_commas(c.inter_core_traffic) +
                   " packets/s between cores";
        }
        else if (c.error.rfind("not run", 0) == 0) {
            out += "not run (over the automatic size limit)";
        }
        else {
            out += "does not fit";
        }
    }
    out += "\n";
    const double gain = r.naive_placement_cost > 0 ? 1.0 - r.placement_cost / r.naive_placement_cost : 0.0;
    out += "  placement: " + with_commas(r.traffic) + " packets/s expected, traffic x hops " +
           with_commas(r.traffic_hops) + "/s (row-major " + with_commas(r.naive_traffic_hops) +
           "/s), routing energy " + fixed(r.placement_cost * 1e-6, 3) + " uW (row-major " +
           fixed(r.naive_placement_cost * 1e-6, 3) + " uW, " + fixed(100.0 * gain, 1) + "% less)" +
           (r.placement_searched ? "" : "; local search skipped: traffic too dense to hold its pairs") + "\n";
    out += "  routing: " + std::to_string(r.route_entries) + " entries in " + std::to_string(r.routers_with_entries) +
           " routers (" + std::to_string(r.route_entries_before_compression) +
           " before compression), fullest router (" + std::to_string(r.fullest_router_at.x) + "," +
           std::to_string(r.fullest_router_at.y) + ") holds " + std::to_string(r.fullest_router) + "\n";
    out += summary(r.quantization);
    return out;
}

} // namespace engram::compiler
