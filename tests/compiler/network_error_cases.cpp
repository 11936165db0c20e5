// The bad-network table: cases grouped by the part of the document they
// break. Run by test_network_errors.cpp.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "network_error_cases.hpp"

namespace engram::test {

using namespace engram::test::net_index;

namespace {

std::vector<network_case> document_cases() {
    std::vector<network_case> c;
    c.push_back({"truncated",
                 [] {
                     const std::string text = valid_network().dump(2);
                     return text.substr(0, text.find("\"dt\": ") + 6);
                 },
                 expect<json_syntax_error>("", [](const json_syntax_error& e) {
                     // "{", the description, then `  "dt": ` cut after the space.
                     EXPECT_EQ(e.line, 3u);
                     EXPECT_EQ(e.column, 9u);
                     EXPECT_FALSE(e.reason.empty());
                 })});
    c.push_back({"trailing_garbage", [] { return valid_network().dump() + "\n}"; },
                 expect<json_syntax_error>("", [](const json_syntax_error& e) {
                     EXPECT_EQ(e.line, 2u);
                     EXPECT_EQ(e.column, 1u);
                 })});
    c.push_back({"duplicate_key",
                 [] {
                     std::string text = valid_network().dump();
                     return text.insert(1, "\"dt\":2.0,");
                 },
                 expect<json_syntax_error>("", [](const json_syntax_error& e) {
                     std::string text = valid_network().dump();
                     text.insert(1, "\"dt\":2.0,");
                     // The second "dt", where the fixture has it.
                     EXPECT_EQ(e.line, 1u);
                     EXPECT_EQ(e.column, text.find("\"dt\"", 2) + 1);
                     EXPECT_EQ(e.reason, "duplicate key \"dt\"");
                 })});
    c.push_back({"nesting_too_deep",
                 mutate([](json& j) {
                     json deep = json::array();
                     for (int i = 0; i < 39; ++i) {
                         deep = json::array({deep});
                     }
                     j["description"] = deep; // 40 arrays inside the root object
                 }),
                 expect<nesting_too_deep_error>("", [](const nesting_too_deep_error& e) {
                     EXPECT_EQ(e.limit, 32u);
                     EXPECT_EQ(e.line, 1u);
                     // {"description":[[[... : the 32nd '[' opens level 33.
                     EXPECT_EQ(e.column, std::string(R"({"description":)").size() + 32);
                 })});
    {
        network_case tl{"input_too_large", [] { return valid_network().dump(); },
                        expect<input_too_large_error>("", [](const input_too_large_error& e) {
                            EXPECT_EQ(e.bytes, valid_network().dump().size());
                            EXPECT_EQ(e.limit, 1000u);
                        })};
        tl.options.limits.max_bytes = 1000;
        c.push_back(tl);
    }
    {
        network_case shallow{"nesting_limit_from_options", [] { return valid_network().dump(); },
                             expect<nesting_too_deep_error>("", [](const nesting_too_deep_error& e) {
                                 EXPECT_EQ(e.limit, 2u);
                             })};
        shallow.options.limits.max_depth = 2;
        c.push_back(shallow);
    }
    c.push_back({"number_overflow",
                 [] {
                     std::string text = valid_network().dump();
                     const auto at = text.find("\"dt\":1.0");
                     return text.replace(at, 8, "\"dt\":1e400");
                 },
                 // Whatever the parser makes of it, a number too large for a
                 // double is bad input: a user error naming the source.
                 [](const std::exception_ptr& thrown) {
                     try {
                         std::rethrow_exception(thrown);
                     }
                     catch (const input_error& e) {
                         EXPECT_EQ(e.source(), "net.json");
                     }
                     catch (const std::exception& e) {
                         ADD_FAILURE() << "expected an engram::input_error, got " << typeid(e).name() << ": "
                                       << e.what();
                     }
                 }});
    c.push_back({"top_level_typo", mutate([](json& j) { rename(j, "projections", "projectons"); }),
                 unknown_key("/projectons", "projectons", "projections")});
    c.push_back({"top_level_unknown_key_no_suggestion", mutate([](json& j) { j["colour"] = "red"; }),
                 unknown_key("/colour", "colour", "")});
    c.push_back({"missing_format", mutate([](json& j) { j.erase("format"); }), missing_key("", "format")});
    c.push_back({"wrong_format", mutate([](json& j) { j["format"] = "engram-network/2"; }),
                 invalid_value("/format", "engram-network/2")});
    c.push_back({"format_not_a_string", mutate([](json& j) { j["format"] = 1; }),
                 type_mismatch("/format", "a string")});
    c.push_back({"missing_name", mutate([](json& j) { j.erase("name"); }), missing_key("", "name")});
    c.push_back({"name_with_space", mutate([](json& j) { j["name"] = "my net"; }), invalid_value("/name", "my net")});
    c.push_back({"name_empty", mutate([](json& j) { j["name"] = ""; }), invalid_value("/name", "")});
    c.push_back({"name_not_a_string", mutate([](json& j) { j["name"] = 5; }), type_mismatch("/name", "a string")});
    c.push_back({"description_not_a_string", mutate([](json& j) { j["description"] = 5; }),
                 type_mismatch("/description", "a string")});
    c.push_back({"missing_dt", mutate([](json& j) { j.erase("dt"); }), missing_key("", "dt")});
    c.push_back({"dt_zero", mutate([](json& j) { j["dt"] = 0.0; }), out_of_range("/dt", 0.0)});
    c.push_back({"dt_negative", mutate([](json& j) { j["dt"] = -0.1; }), out_of_range("/dt", -0.1)});
    c.push_back({"dt_string", mutate([](json& j) { j["dt"] = "0.1"; }), type_mismatch("/dt", "a number")});
    c.push_back({"dt_null", mutate([](json& j) { j["dt"] = nullptr; }), type_mismatch("/dt", "a number")});
    c.push_back({"dt_bool", mutate([](json& j) { j["dt"] = true; }), type_mismatch("/dt", "a number")});
    c.push_back({"seed_negative", mutate([](json& j) { j["seed"] = -1; }), out_of_range("/seed", -1)});
    c.push_back({"seed_fraction", mutate([](json& j) { j["seed"] = 1.5; }), type_mismatch("/seed", "an integer")});
    c.push_back({"seed_above_int64",
                 mutate([](json& j) { j["seed"] = std::numeric_limits<std::uint64_t>::max(); }),
                 out_of_range("/seed", 18446744073709551615.0)});
    c.push_back({"missing_populations", mutate([](json& j) { j.erase("populations"); }),
                 missing_key("", "populations")});
    c.push_back({"populations_object", mutate([](json& j) { j["populations"] = json::object(); }),
                 type_mismatch("/populations", "an array")});
    c.push_back({"populations_empty", mutate([](json& j) { j["populations"] = json::array(); }),
                 conflict("/populations")});
    c.push_back({"plasticity_object", mutate([](json& j) { j["plasticity"] = json::object(); }),
                 type_mismatch("/plasticity", "an array")});
    c.push_back({"projection_not_an_object", mutate([](json& j) { proj(j, 0) = "stim_exc"; }),
                 type_mismatch("/projections/0", "an object")});
    return c;
}

std::vector<network_case> population_cases() {
    std::vector<network_case> c;
    c.push_back({"population_typo", mutate([](json& j) { rename(pop(j, inh), "size", "sise"); }),
                 unknown_key("/populations/1/sise", "sise", "size")});
    c.push_back({"params_typo", mutate([](json& j) { rename(pop(j, exc)["params"], "tau_m", "tau_n"); }),
                 unknown_key("/populations/0/params/tau_n", "tau_n", "tau_m")});
    c.push_back({"initial_typo", mutate([](json& j) { rename(pop(j, exc)["initial"], "v", "vv"); }),
                 unknown_key("/populations/0/initial/vv", "vv", "v")});
    c.push_back({"missing_population_name", mutate([](json& j) { pop(j, exc).erase("name"); }),
                 missing_key("/populations/0", "name")});
    c.push_back({"missing_size", mutate([](json& j) { pop(j, inh).erase("size"); }),
                 missing_key("/populations/1", "size")});
    c.push_back({"missing_model", mutate([](json& j) { pop(j, exc).erase("model"); }),
                 missing_key("/populations/0", "model")});
    c.push_back({"name_leading_digit", mutate([](json& j) { pop(j, exc)["name"] = "1exc"; }),
                 invalid_value("/populations/0/name", "1exc")});
    c.push_back({"name_with_dash", mutate([](json& j) { pop(j, inh)["name"] = "in-h"; }),
                 invalid_value("/populations/1/name", "in-h")});
    c.push_back({"duplicate_population", mutate([](json& j) { pop(j, inh)["name"] = "exc"; }),
                 duplicate("/populations/1/name", "exc", "/populations/0/name")});
    c.push_back({"size_zero", mutate([](json& j) { pop(j, exc)["size"] = 0; }),
                 out_of_range("/populations/0/size", 0)});
    c.push_back({"size_too_large", mutate([](json& j) { pop(j, exc)["size"] = (1 << 24) + 1; }),
                 out_of_range("/populations/0/size", (1 << 24) + 1)});
    c.push_back({"size_bool", mutate([](json& j) { pop(j, exc)["size"] = true; }),
                 type_mismatch("/populations/0/size", "an integer")});
    c.push_back({"size_fraction", mutate([](json& j) { pop(j, exc)["size"] = 2.5; }),
                 type_mismatch("/populations/0/size", "an integer")});
    c.push_back({"model_typo", mutate([](json& j) { pop(j, exc)["model"] = "IF_cur_exp"; }),
                 invalid_value("/populations/0/model", "IF_cur_exp", "IF_curr_exp")});
    c.push_back({"tau_m_negative", mutate([](json& j) { pop(j, exc)["params"]["tau_m"] = -5.0; }),
                 out_of_range("/populations/0/params/tau_m", -5.0)});
    c.push_back({"cm_zero", mutate([](json& j) { pop(j, exc)["params"]["cm"] = 0.0; }),
                 out_of_range("/populations/0/params/cm", 0.0)});
    c.push_back({"v_rest_absurd", mutate([](json& j) { pop(j, exc)["params"]["v_rest"] = 2000.0; }),
                 out_of_range("/populations/0/params/v_rest", 2000.0)});
    c.push_back({"v_thresh_below_v_reset", mutate([](json& j) { pop(j, exc)["params"]["v_thresh"] = -70.0; }),
                 conflict("/populations/0/params/v_thresh")});
    c.push_back({"params_array", mutate([](json& j) { pop(j, exc)["params"] = json::array({20.0}); }),
                 type_mismatch("/populations/0/params", "an object")});
    c.push_back({"initial_list_length", mutate([](json& j) { pop(j, inh)["initial"]["v"] = {-65.0, -64.0}; }),
                 conflict("/populations/1/initial/v")});
    c.push_back({"initial_unbounded_normal",
                 mutate([](json& j) {
                     pop(j, exc)["initial"]["v"] = {{"distribution", "normal"}, {"mean", -60.0}, {"sd", 2.0}};
                 }),
                 out_of_range("/populations/0/initial/v", -std::numeric_limits<double>::infinity())});
    c.push_back({"initial_on_spike_source", mutate([](json& j) { pop(j, stim)["initial"] = {{"v", -65.0}}; }),
                 conflict("/populations/2/initial")});
    c.push_back({"spike_source_without_params", mutate([](json& j) { pop(j, cue).erase("params"); }),
                 missing_key("/populations/5", "params")});
    c.push_back({"spike_source_without_times", mutate([](json& j) { pop(j, cue)["params"] = json::object(); }),
                 missing_key("/populations/5/params", "spike_times")});
    c.push_back({"spike_times_and_file",
                 mutate([](json& j) { pop(j, cue)["params"]["spike_times_file"] = "spikes.txt"; }),
                 conflict("/populations/5/params/spike_times_file")});
    c.push_back({"spike_times_per_neuron_count",
                 mutate([](json& j) { pop(j, stim)["params"]["spike_times"] = {{1.0}, {2.0}}; }),
                 conflict("/populations/2/params/spike_times")});
    c.push_back({"spike_times_not_increasing",
                 mutate([](json& j) { pop(j, cue)["params"]["spike_times"] = {15.0, 5.0}; }),
                 out_of_range("/populations/5/params/spike_times/1", 5.0)});
    c.push_back({"spike_times_repeated",
                 mutate([](json& j) { pop(j, stim)["params"]["spike_times"][0] = {1.0, 1.0}; }),
                 out_of_range("/populations/2/params/spike_times/0/1", 1.0)});
    c.push_back({"spike_time_negative", mutate([](json& j) { pop(j, cue)["params"]["spike_times"] = {-1.0}; }),
                 out_of_range("/populations/5/params/spike_times/0", -1.0)});
    c.push_back({"spike_time_string", mutate([](json& j) { pop(j, cue)["params"]["spike_times"] = {5.0, "x"}; }),
                 type_mismatch("/populations/5/params/spike_times/1", "a number")});
    c.push_back({"poisson_rate_above_one_per_step",
                 mutate([](json& j) { pop(j, noise)["params"]["rate"] = 1500.0; }), // dt = 1 ms: at most 1000 Hz
                 conflict("/populations/3/params/rate")});
    c.push_back({"poisson_rate_negative", mutate([](json& j) { pop(j, noise)["params"]["rate"] = -1.0; }),
                 out_of_range("/populations/3/params/rate", -1.0)});
    c.push_back({"poisson_missing_rate", mutate([](json& j) { pop(j, noise)["params"].erase("rate"); }),
                 missing_key("/populations/3/params", "rate")});
    c.push_back({"poisson_duration_zero", mutate([](json& j) { pop(j, noise)["params"]["duration"] = 0.0; }),
                 out_of_range("/populations/3/params/duration", 0.0)});
    c.push_back({"modulator_amplitude_above_one",
                 mutate([](json& j) { pop(j, reward)["params"]["amplitudes"] = {0.5, 1.5}; }),
                 out_of_range("/populations/4/params/amplitudes/1", 1.5)});
    c.push_back({"modulator_single_amplitude_above_one",
                 mutate([](json& j) {
                     pop(j, reward)["params"].erase("amplitudes");
                     pop(j, reward)["params"]["amplitude"] = 2.0;
                 }),
                 out_of_range("/populations/4/params/amplitude", 2.0)});
    c.push_back({"modulator_amplitudes_length",
                 mutate([](json& j) { pop(j, reward)["params"]["amplitudes"] = {0.5}; }),
                 conflict("/populations/4/params/amplitudes")});
    c.push_back({"modulator_both_amplitudes", mutate([](json& j) { pop(j, reward)["params"]["amplitude"] = 0.5; }),
                 conflict("/populations/4/params/amplitude")});
    c.push_back({"modulator_missing_times", mutate([](json& j) { pop(j, reward)["params"].erase("times"); }),
                 missing_key("/populations/4/params", "times")});
    c.push_back({"modulator_size_two", mutate([](json& j) { pop(j, reward)["size"] = 2; }),
                 conflict("/populations/4/size")});
    c.push_back({"too_many_modulators",
                 mutate([](json& j) {
                     for (int i = 0; i < 8; ++i) {
                         j["populations"].push_back({{"name", "m" + std::to_string(i)},
                                                     {"size", 1},
                                                     {"model", "Modulator"},
                                                     {"params", {{"times", {1.0}}}}});
                     }
                 }),
                 expect<chip_limit_error>("/populations", [](const chip_limit_error& e) {
                     EXPECT_EQ(e.resource, "modulator channels");
                     EXPECT_EQ(e.needed, 9.0);
                     EXPECT_EQ(e.available, 8.0);
                 })});
    return c;
}

std::vector<network_case> plasticity_cases() {
    std::vector<network_case> c;
    c.push_back({"rule_typo", mutate([](json& j) { rename(rule(j, rstdp), "modulator", "modulater"); }),
                 unknown_key("/plasticity/2/modulater", "modulater", "modulator")});
    c.push_back({"rule_params_typo",
                 mutate([](json& j) { rename(rule(j, stdp)["params"], "tau_plus", "tau_pluss"); }),
                 unknown_key("/plasticity/0/params/tau_pluss", "tau_pluss", "tau_plus")});
    c.push_back({"rule_kind_typo", mutate([](json& j) { rule(j, stdp)["rule"] = "pair_stpd"; }),
                 invalid_value("/plasticity/0/rule", "pair_stpd", "pair_stdp")});
    c.push_back({"missing_rule_kind", mutate([](json& j) { rule(j, stdp).erase("rule"); }),
                 missing_key("/plasticity/0", "rule")});
    c.push_back({"missing_rule_name", mutate([](json& j) { rule(j, stdp).erase("name"); }),
                 missing_key("/plasticity/0", "name")});
    c.push_back({"duplicate_rule", mutate([](json& j) { rule(j, triplet)["name"] = "stdp"; }),
                 duplicate("/plasticity/1/name", "stdp", "/plasticity/0/name")});
    c.push_back({"three_factor_without_modulator", mutate([](json& j) { rule(j, rstdp).erase("modulator"); }),
                 missing_key("/plasticity/2", "modulator")});
    c.push_back({"unknown_modulator", mutate([](json& j) { rule(j, rstdp)["modulator"] = "rewrd"; }),
                 unknown_reference("/plasticity/2/modulator", "population", "rewrd", "reward")});
    c.push_back({"modulator_not_a_modulator", mutate([](json& j) { rule(j, rstdp)["modulator"] = "exc"; }),
                 conflict("/plasticity/2/modulator")});
    c.push_back({"modulator_on_pair_stdp", mutate([](json& j) { rule(j, stdp)["modulator"] = "reward"; }),
                 conflict("/plasticity/0/modulator")});
    c.push_back({"sum_of_products_r1_without_modulator", mutate([](json& j) { rule(j, sop).erase("modulator"); }),
                 conflict("/plasticity/3")});
    c.push_back({"sum_of_products_without_params", mutate([](json& j) { rule(j, sop).erase("params"); }),
                 missing_key("/plasticity/3", "params")});
    c.push_back({"sum_of_products_missing_dw", mutate([](json& j) { rule(j, sop)["params"].erase("dw"); }),
                 missing_key("/plasticity/3/params", "dw")});
    c.push_back({"dw_not_a_string", mutate([](json& j) { rule(j, sop)["params"]["dw"] = 0.25; }),
                 type_mismatch("/plasticity/3/params/dw", "a string")});
    c.push_back({"dw_four_factors", mutate([](json& j) { rule(j, sop)["params"]["dw"] = "x1*y0*x2*y1"; }),
                 unsupported("/plasticity/3/params/dw", "x1*y0*x2*y1")});
    c.push_back({"dw_coefficient_not_power_of_two",
                 mutate([](json& j) { rule(j, sop)["params"]["dw"] = "0.3*x1*y0"; }),
                 unsupported("/plasticity/3/params/dw", "0.3*x1*y0")});
    c.push_back({"dw_mantissa_too_large", mutate([](json& j) { rule(j, sop)["params"]["dw"] = "129*x1"; }),
                 unsupported("/plasticity/3/params/dw", "129*x1")});
    c.push_back({"dw_scale_out_of_range", mutate([](json& j) { rule(j, sop)["params"]["dw"] = "2^40*x1"; }),
                 unsupported("/plasticity/3/params/dw", "2^40*x1")});
    c.push_back({"dw_unknown_operand", mutate([](json& j) { rule(j, sop)["params"]["dw"] = "2^-2*x1*z0"; }),
                 invalid_value("/plasticity/3/params/dw", "z0", "x0")});
    c.push_back({"dw_syntax", mutate([](json& j) { rule(j, sop)["params"]["dw"] = "2^-2*x1*"; }),
                 invalid_value("/plasticity/3/params/dw", "2^-2*x1*")});
    c.push_back({"dw_empty", mutate([](json& j) { rule(j, sop)["params"]["dw"] = ""; }),
                 invalid_value("/plasticity/3/params/dw", "")});
    c.push_back({"dt_constant_out_of_range", mutate([](json& j) { rule(j, sop)["params"]["dt"] = "(w - 200)*r1"; }),
                 expect<unsupported_rule_error>("/plasticity/3/params/dt")});
    c.push_back({"dt_unknown_operand", mutate([](json& j) { rule(j, sop)["params"]["dt"] = "2^-4*r2*t"; }),
                 invalid_value("/plasticity/3/params/dt", "r2", "r0")});
    c.push_back({"dw_seventeen_terms", mutate([](json& j) { rule(j, sop)["params"]["dw"] = terms(17); }),
                 unsupported("/plasticity/3/params/dw", terms(17))});
    c.push_back({"dw_and_dt_seventeen_terms",
                 mutate([](json& j) {
                     rule(j, sop)["params"]["dw"] = terms(9);
                     rule(j, sop)["params"]["dt"] = terms(8);
                 }),
                 expect<unsupported_rule_error>("/plasticity/3/params/dt")});
    c.push_back({"w_max_not_above_w_min", mutate([](json& j) { rule(j, stdp)["params"]["w_max"] = 0.0; }),
                 conflict("/plasticity/0/params/w_max")});
    c.push_back({"w_min_negative", mutate([](json& j) { rule(j, stdp)["params"]["w_min"] = -1.0; }),
                 out_of_range("/plasticity/0/params/w_min", -1.0)});
    c.push_back({"negative_tau", mutate([](json& j) { rule(j, triplet)["params"] = {{"tau_x", -1.0}}; }),
                 out_of_range("/plasticity/1/params/tau_x", -1.0)});
    c.push_back({"weight_dependence_typo",
                 mutate([](json& j) { rule(j, stdp)["params"]["weight_dependence"] = "multiplicativ"; }),
                 invalid_value("/plasticity/0/params/weight_dependence", "multiplicativ", "multiplicative")});
    c.push_back({"rule_params_array", mutate([](json& j) { rule(j, stdp)["params"] = json::array({1.0}); }),
                 type_mismatch("/plasticity/0/params", "an object")});
    c.push_back({"epoch_not_whole_steps", mutate([](json& j) { rule(j, sop)["epoch"] = 2.5; }),
                 out_of_range("/plasticity/3/epoch", 2.5)});
    c.push_back({"epoch_too_long", mutate([](json& j) { rule(j, sop)["epoch"] = 64.0; }),
                 out_of_range("/plasticity/3/epoch", 64.0)});
    c.push_back({"epoch_zero", mutate([](json& j) { rule(j, sop)["epoch"] = 0.0; }),
                 out_of_range("/plasticity/3/epoch", 0.0)});
    c.push_back({"gdhl_all_zero", mutate([](json& j) { rule(j, gdhl)["params"] = {{"tau_pre", 10.0}}; }),
                 conflict("/plasticity/4/params")});
    c.push_back({"gdhl_without_params", mutate([](json& j) { rule(j, gdhl).erase("params"); }),
                 missing_key("/plasticity/4", "params")});
    return c;
}

std::vector<network_case> projection_cases() {
    std::vector<network_case> c;
    c.push_back({"projection_typo", mutate([](json& j) { rename(proj(j, stim_exc), "weight", "wieght"); }),
                 unknown_key("/projections/0/wieght", "wieght", "weight")});
    c.push_back({"weight_string", mutate([](json& j) { proj(j, inh_exc)["weight"] = "abc"; }),
                 expect<type_error>("/projections/3/weight", [](const type_error& e) {
                     EXPECT_EQ(e.found, "string \"abc\"");
                 })});
    c.push_back({"weight_bool", mutate([](json& j) { proj(j, exc_inh)["weight"] = false; }),
                 expect<type_error>("/projections/2/weight")});
    c.push_back({"missing_weight", mutate([](json& j) { proj(j, stim_exc).erase("weight"); }),
                 missing_key("/projections/0", "weight")});
    c.push_back({"missing_pre", mutate([](json& j) { proj(j, stim_exc).erase("pre"); }),
                 missing_key("/projections/0", "pre")});
    c.push_back({"missing_connector", mutate([](json& j) { proj(j, stim_exc).erase("connector"); }),
                 missing_key("/projections/0", "connector")});
    c.push_back({"missing_connector_type", mutate([](json& j) { proj(j, stim_exc)["connector"] = json::object(); }),
                 missing_key("/projections/0/connector", "type")});
    c.push_back({"connector_string", mutate([](json& j) { proj(j, stim_exc)["connector"] = "AllToAll"; }),
                 type_mismatch("/projections/0/connector", "an object")});
    c.push_back({"connector_type_typo", mutate([](json& j) { proj(j, stim_exc)["connector"]["type"] = "AllToAl"; }),
                 invalid_value("/projections/0/connector/type", "AllToAl", "AllToAll")});
    c.push_back({"connector_key_typo",
                 mutate([](json& j) {
                     rename(proj(j, exc_exc)["connector"], "allow_self_connections", "allow_self_connection");
                 }),
                 unknown_key("/projections/1/connector/allow_self_connection", "allow_self_connection",
                             "allow_self_connections")});
    c.push_back({"allow_self_connections_string",
                 mutate([](json& j) { proj(j, exc_exc)["connector"]["allow_self_connections"] = "no"; }),
                 type_mismatch("/projections/1/connector/allow_self_connections", "a boolean (true or false)")});
    c.push_back({"fixed_probability_missing_p", mutate([](json& j) { proj(j, exc_exc)["connector"].erase("p"); }),
                 missing_key("/projections/1/connector", "p")});
    c.push_back({"probability_above_one", mutate([](json& j) { proj(j, exc_exc)["connector"]["p"] = 1.5; }),
                 out_of_range("/projections/1/connector/p", 1.5)});
    c.push_back({"p_on_all_to_all", mutate([](json& j) { proj(j, stim_exc)["connector"]["p"] = 0.5; }),
                 conflict("/projections/0/connector/p")});
    c.push_back({"n_on_fixed_probability", mutate([](json& j) { proj(j, exc_exc)["connector"]["n"] = 2; }),
                 conflict("/projections/1/connector/n")});
    c.push_back({"connections_on_one_to_one",
                 mutate([](json& j) { proj(j, noise_inh)["connector"]["connections"] = {{0, 0}}; }),
                 conflict("/projections/4/connector/connections")});
    c.push_back({"fixed_number_missing_n", mutate([](json& j) { proj(j, exc_inh)["connector"].erase("n"); }),
                 missing_key("/projections/2/connector", "n")});
    c.push_back({"fixed_number_n_too_large", mutate([](json& j) { proj(j, exc_inh)["connector"]["n"] = 11; }),
                 out_of_range("/projections/2/connector/n", 11)});
    c.push_back({"fixed_number_n_zero", mutate([](json& j) { proj(j, exc_inh)["connector"]["n"] = 0; }),
                 out_of_range("/projections/2/connector/n", 0)});
    c.push_back({"fixed_number_n_fraction", mutate([](json& j) { proj(j, exc_inh)["connector"]["n"] = 2.5; }),
                 type_mismatch("/projections/2/connector/n", "an integer")});
    c.push_back({"fixed_number_n_all_without_self",
                 mutate([](json& j) {
                     proj(j, exc_inh)["post"] = "exc";
                     proj(j, exc_inh)["connector"] = {{"type", "FixedNumberPre"}, {"n", 10},
                                                      {"allow_self_connections", false}};
                 }),
                 out_of_range("/projections/2/connector/n", 10)});
    c.push_back({"from_list_pre_out_of_range",
                 mutate([](json& j) { proj(j, inh_exc)["connector"]["connections"][0] = {5, 0}; }),
                 out_of_range("/projections/3/connector/connections/0/0", 5)});
    c.push_back({"from_list_post_out_of_range",
                 mutate([](json& j) { proj(j, inh_exc)["connector"]["connections"][0] = {0, 10}; }),
                 out_of_range("/projections/3/connector/connections/0/1", 10)});
    c.push_back({"from_list_short_entry",
                 mutate([](json& j) { proj(j, inh_exc)["connector"]["connections"][1] = {1}; }),
                 expect<type_error>("/projections/3/connector/connections/1")});
    c.push_back({"from_list_negative_weight",
                 mutate([](json& j) { proj(j, inh_exc)["connector"]["connections"][1][2] = -0.3; }),
                 out_of_range("/projections/3/connector/connections/1/2", -0.3)});
    c.push_back({"from_list_delay_below_dt",
                 mutate([](json& j) { proj(j, inh_exc)["connector"]["connections"][2][3] = 0.5; }),
                 out_of_range("/projections/3/connector/connections/2/3", 0.5)});
    c.push_back({"from_list_missing_connections",
                 mutate([](json& j) { proj(j, inh_exc)["connector"].erase("connections"); }),
                 missing_key("/projections/3/connector", "connections")});
    c.push_back({"one_to_one_different_sizes", mutate([](json& j) { proj(j, noise_inh)["post"] = "exc"; }),
                 conflict("/projections/4/connector/type")});
    c.push_back({"onto_spike_source", mutate([](json& j) { proj(j, stim_exc)["post"] = "stim"; }),
                 conflict("/projections/0/post")});
    c.push_back({"onto_modulator", mutate([](json& j) { proj(j, stim_exc)["post"] = "reward"; }),
                 conflict("/projections/0/post")});
    c.push_back({"from_modulator", mutate([](json& j) { proj(j, stim_exc)["pre"] = "reward"; }),
                 conflict("/projections/0/pre")});
    c.push_back({"unknown_pre", mutate([](json& j) { proj(j, exc_exc)["pre"] = "exx"; }),
                 unknown_reference("/projections/1/pre", "population", "exx", "exc")});
    c.push_back({"unknown_post_no_suggestion", mutate([](json& j) { proj(j, exc_exc)["post"] = "nowhere"; }),
                 unknown_reference("/projections/1/post", "population", "nowhere", "")});
    c.push_back({"unknown_rule", mutate([](json& j) { proj(j, stim_exc)["plasticity"] = "stdp2"; }),
                 unknown_reference("/projections/0/plasticity", "plasticity rule", "stdp2", "stdp")});
    c.push_back({"rule_reference_number", mutate([](json& j) { proj(j, stim_exc)["plasticity"] = 0; }),
                 type_mismatch("/projections/0/plasticity", "a string")});
    c.push_back({"weight_list_random_connector",
                 mutate([](json& j) { proj(j, exc_exc)["weight"] = {0.1, 0.2}; }), conflict("/projections/1/weight")});
    c.push_back({"weight_list_length", mutate([](json& j) { proj(j, noise_inh)["weight"] = {0.1, 0.2, 0.3, 0.4}; }),
                 conflict("/projections/4/weight")});
    c.push_back({"weight_list_empty", mutate([](json& j) { proj(j, noise_inh)["weight"] = json::array(); }),
                 conflict("/projections/4/weight")});
    c.push_back({"weight_list_string_element",
                 mutate([](json& j) { proj(j, noise_inh)["weight"] = {0.1, "x", 0.3, 0.4, 0.5}; }),
                 type_mismatch("/projections/4/weight/1", "a number")});
    c.push_back({"weight_unbounded_normal",
                 mutate([](json& j) {
                     proj(j, exc_exc)["weight"] = {{"distribution", "normal"}, {"mean", 0.5}, {"sd", 0.1}};
                 }),
                 conflict("/projections/1/weight")});
    c.push_back({"weight_negative", mutate([](json& j) { proj(j, exc_inh)["weight"] = -0.2; }),
                 out_of_range("/projections/2/weight", -0.2)});
    c.push_back({"weight_uniform_with_mean",
                 mutate([](json& j) {
                     proj(j, exc_inh)["weight"] = {{"distribution", "uniform"}, {"low", 0.0}, {"high", 1.0},
                                                   {"mean", 0.5}};
                 }),
                 conflict("/projections/2/weight/mean")});
    c.push_back({"weight_uniform_empty_range",
                 mutate([](json& j) {
                     proj(j, exc_inh)["weight"] = {{"distribution", "uniform"}, {"low", 0.5}, {"high", 0.5}};
                 }),
                 conflict("/projections/2/weight/high")});
    c.push_back({"weight_normal_with_bounds",
                 mutate([](json& j) {
                     proj(j, exc_inh)["weight"] = {{"distribution", "normal"}, {"mean", 0.5}, {"sd", 0.1},
                                                   {"low", 0.0}};
                 }),
                 conflict("/projections/2/weight/low")});
    c.push_back({"weight_negative_sd",
                 mutate([](json& j) {
                     proj(j, exc_inh)["weight"] = {{"distribution", "normal_clipped"}, {"mean", 0.5}, {"sd", -0.1},
                                                   {"low", 0.0}, {"high", 1.0}};
                 }),
                 out_of_range("/projections/2/weight/sd", -0.1)});
    c.push_back({"weight_distribution_typo",
                 mutate([](json& j) {
                     proj(j, exc_inh)["weight"] = {{"distribution", "unifrom"}, {"low", 0.0}, {"high", 1.0}};
                 }),
                 invalid_value("/projections/2/weight/distribution", "unifrom", "uniform")});
    c.push_back({"weight_missing_distribution",
                 mutate([](json& j) { proj(j, exc_inh)["weight"] = {{"low", 0.0}, {"high", 1.0}}; }),
                 missing_key("/projections/2/weight", "distribution")});
    c.push_back({"weight_outside_rule_bounds", mutate([](json& j) { proj(j, stim_exc)["weight"] = 3.0; }),
                 conflict("/projections/0/weight")});
    c.push_back({"weight_list_outside_rule_bounds",
                 mutate([](json& j) { proj(j, noise_inh)["weight"] = {0.1, 0.2, 0.3, 0.4, 1.5}; }),
                 conflict("/projections/4/weight")});
    c.push_back({"delay_below_dt", mutate([](json& j) { proj(j, stim_exc)["delay"] = 0.5; }),
                 out_of_range("/projections/0/delay", 0.5)});
    c.push_back({"delay_zero", mutate([](json& j) { proj(j, stim_exc)["delay"] = 0.0; }),
                 out_of_range("/projections/0/delay", 0.0)});
    c.push_back({"delay_uniform_below_dt",
                 mutate([](json& j) {
                     proj(j, exc_exc)["delay"] = {{"distribution", "uniform"}, {"low", 0.25}, {"high", 5.0}};
                 }),
                 out_of_range("/projections/1/delay", 0.25)});
    c.push_back({"delay_unbounded_normal",
                 mutate([](json& j) {
                     proj(j, stim_exc)["delay"] = {{"distribution", "normal"}, {"mean", 2.0}, {"sd", 0.5}};
                 }),
                 conflict("/projections/0/delay")});
    c.push_back({"delay_list_random_connector", mutate([](json& j) { proj(j, exc_exc)["delay"] = {1.0, 2.0}; }),
                 conflict("/projections/1/delay")});
    c.push_back({"duplicate_projection", mutate([](json& j) { proj(j, exc_exc)["name"] = "stim_exc"; }),
                 duplicate("/projections/1/name", "stim_exc", "/projections/0/name")});
    c.push_back({"projection_name_too_long",
                 mutate([](json& j) { proj(j, stim_exc)["name"] = std::string(65, 'a'); }),
                 invalid_value("/projections/0/name", std::string(65, 'a'))});
    c.push_back({"receptor_typo", mutate([](json& j) { proj(j, inh_exc)["receptor"] = "inhibitry"; }),
                 invalid_value("/projections/3/receptor", "inhibitry", "inhibitory")});
    return c;
}

std::vector<network_case> recording_cases() {
    std::vector<network_case> c;
    c.push_back({"recording_typo", mutate([](json& j) { rename(rec(j, 0), "neurons", "neuron"); }),
                 unknown_key("/recording/0/neuron", "neuron", "neurons")});
    c.push_back({"recording_unknown_population", mutate([](json& j) { rec(j, 0)["population"] = "exd"; }),
                 unknown_reference("/recording/0/population", "population", "exd", "exc")});
    c.push_back({"recording_missing_variables", mutate([](json& j) { rec(j, 0).erase("variables"); }),
                 missing_key("/recording/0", "variables")});
    c.push_back({"recording_no_variables", mutate([](json& j) { rec(j, 0)["variables"] = json::array(); }),
                 conflict("/recording/0/variables")});
    c.push_back({"recording_variable_typo", mutate([](json& j) { rec(j, 1)["variables"] = {"spike"}; }),
                 invalid_value("/recording/1/variables/0", "spike", "spikes")});
    c.push_back({"recording_v_of_spike_source", mutate([](json& j) { rec(j, 1)["variables"] = {"spikes", "v"}; }),
                 conflict("/recording/1/variables/1")});
    c.push_back({"recording_variable_twice",
                 mutate([](json& j) { rec(j, 0)["variables"] = {"spikes", "v", "spikes"}; }),
                 conflict("/recording/0/variables/2")});
    c.push_back({"recording_neuron_out_of_range", mutate([](json& j) { rec(j, 0)["neurons"] = {0, 10}; }),
                 out_of_range("/recording/0/neurons/1", 10)});
    c.push_back({"recording_neurons_word", mutate([](json& j) { rec(j, 2)["neurons"] = "al"; }),
                 invalid_value("/recording/2/neurons", "al", "all")});
    c.push_back({"recording_interval_below_dt", mutate([](json& j) { rec(j, 0)["interval"] = 0.5; }),
                 out_of_range("/recording/0/interval", 0.5)});
    return c;
}

} // namespace

std::vector<network_case> all_network_cases() {
    std::vector<network_case> all;
    for (auto* group: {&document_cases, &population_cases, &plasticity_cases, &projection_cases, &recording_cases}) {
        auto cases = (*group)();
        all.insert(all.end(), cases.begin(), cases.end());
    }
    return all;
}

} // namespace engram::test
