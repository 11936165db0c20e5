// Valid network descriptions: what the loader makes of them.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/json_input.hpp>
#include <engram/compiler/network.hpp>
#include <engram/compiler/network_loader.hpp>

#include "network_fixtures.hpp"

namespace {

using namespace engram;
using namespace engram::compiler;
using namespace engram::test;
using nlohmann::json;
namespace ni = engram::test::net_index;

std::vector<std::filesystem::path> example_files() {
    std::vector<std::filesystem::path> files;
    for (const auto& entry: std::filesystem::directory_iterator(std::filesystem::path(ENGRAM_SOURCE_DIR) / "examples")) {
        const auto file = entry.path() / "network.json";
        if (entry.is_directory() && std::filesystem::exists(file)) {
            files.push_back(file);
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

json read_json(const std::filesystem::path& file) {
    std::ifstream in(file);
    return json::parse(in);
}

TEST(network_loader, fixture_loads_with_every_model) {
    const network net = load(valid_network());
    EXPECT_EQ(net.source, "net.json");
    EXPECT_EQ(net.name, "fixture");
    EXPECT_EQ(net.dt, 1.0);
    EXPECT_EQ(net.seed, 42u);
    ASSERT_EQ(net.populations.size(), 6u);
    EXPECT_EQ(net.populations[ni::exc].model, neuron_model::if_curr_exp);
    EXPECT_EQ(net.populations[ni::inh].model, neuron_model::if_curr_exp);
    EXPECT_EQ(net.populations[ni::stim].model, neuron_model::spike_source_array);
    EXPECT_EQ(net.populations[ni::noise].model, neuron_model::spike_source_poisson);
    EXPECT_EQ(net.populations[ni::reward].model, neuron_model::modulator);
    EXPECT_EQ(net.populations[ni::cue].model, neuron_model::spike_source_array);
    EXPECT_FALSE(net.populations[ni::exc].is_source());
    EXPECT_TRUE(net.populations[ni::stim].is_source());
    EXPECT_TRUE(net.populations[ni::reward].is_source());
    EXPECT_EQ(net.populations[ni::noise].path, "/populations/3");
    EXPECT_EQ(net.neuron_count(), 10u + 5u + 3u + 5u + 1u + 2u);
    EXPECT_EQ(net.find_population("noise"), std::optional<std::size_t>(3));
    EXPECT_EQ(net.find_population("nothing"), std::nullopt);
}

TEST(network_loader, if_curr_exp_params_are_read) {
    const network net = load(valid_network());
    const auto& p = std::get<if_curr_exp_params>(net.populations[ni::exc].params);
    EXPECT_EQ(p.tau_m, 20.0);
    EXPECT_EQ(p.tau_syn_e, 5.0);
    EXPECT_EQ(p.tau_syn_i, 10.0);
    EXPECT_EQ(p.v_rest, -65.0);
    EXPECT_EQ(p.v_reset, -65.0);
    EXPECT_EQ(p.v_thresh, -50.0);
    EXPECT_EQ(p.tau_refrac, 2.0);
    EXPECT_EQ(p.i_offset, 0.1);
    EXPECT_EQ(p.cm, 0.5);
}

// PyNN's documented defaults for IF_curr_exp (pyNN.standardmodels.cells).
TEST(network_loader, if_curr_exp_defaults_are_pynn) {
    const network net = load(valid_network());
    const auto& p = std::get<if_curr_exp_params>(net.populations[ni::inh].params);
    EXPECT_EQ(p.cm, 1.0);
    EXPECT_EQ(p.tau_m, 20.0);
    EXPECT_EQ(p.tau_refrac, 0.1);
    EXPECT_EQ(p.tau_syn_e, 5.0);
    EXPECT_EQ(p.tau_syn_i, 5.0);
    EXPECT_EQ(p.i_offset, 0.0);
    EXPECT_EQ(p.v_reset, -65.0);
    EXPECT_EQ(p.v_rest, -65.0);
    EXPECT_EQ(p.v_thresh, -50.0);
}

TEST(network_loader, partial_params_keep_other_defaults) {
    json j = valid_network();
    j["populations"][ni::inh]["params"] = {{"tau_m", 10.0}};
    const network net = load(j);
    const auto& p = std::get<if_curr_exp_params>(net.populations[ni::inh].params);
    EXPECT_EQ(p.tau_m, 10.0);
    EXPECT_EQ(p.cm, 1.0);
    EXPECT_EQ(p.v_thresh, -50.0);
}

TEST(network_loader, spike_times_per_neuron) {
    const network net = load(valid_network());
    const auto& a = std::get<spike_source_array_params>(net.populations[ni::stim].params);
    ASSERT_EQ(a.times.size(), 3u);
    EXPECT_EQ(a.times[0], (std::vector<double>{1.0, 2.0}));
    EXPECT_EQ(a.times[1], (std::vector<double>{3.0}));
    EXPECT_TRUE(a.times[2].empty());
    EXPECT_TRUE(a.file.empty());
}

TEST(network_loader, spike_times_shared_by_all_neurons) {
    const network net = load(valid_network());
    const auto& a = std::get<spike_source_array_params>(net.populations[ni::cue].params);
    ASSERT_EQ(a.times.size(), 2u);
    EXPECT_EQ(a.times[0], (std::vector<double>{5.0, 15.0}));
    EXPECT_EQ(a.times[1], (std::vector<double>{5.0, 15.0}));
}

TEST(network_loader, spike_times_empty_list_means_no_spikes) {
    json j = valid_network();
    j["populations"][ni::cue]["params"]["spike_times"] = json::array();
    const network net = load(j);
    const auto& a = std::get<spike_source_array_params>(net.populations[ni::cue].params);
    ASSERT_EQ(a.times.size(), 2u);
    EXPECT_TRUE(a.times[0].empty());
    EXPECT_TRUE(a.times[1].empty());
}

TEST(network_loader, poisson_and_modulator_params) {
    const network net = load(valid_network());
    const auto& q = std::get<spike_source_poisson_params>(net.populations[ni::noise].params);
    EXPECT_EQ(q.rate, 20.0);
    EXPECT_EQ(q.start, 5.0);
    EXPECT_EQ(q.duration, 100.0);
    const auto& m = std::get<modulator_params>(net.populations[ni::reward].params);
    EXPECT_EQ(m.times, (std::vector<double>{10.0, 20.0}));
    EXPECT_EQ(m.amplitudes, (std::vector<double>{0.5, 1.0}));
}

TEST(network_loader, poisson_defaults_run_forever) {
    json j = valid_network();
    j["populations"][ni::noise]["params"] = {{"rate", 5.0}};
    const network net = load(j);
    const auto& q = std::get<spike_source_poisson_params>(net.populations[ni::noise].params);
    EXPECT_EQ(q.start, 0.0);
    EXPECT_TRUE(std::isinf(q.duration));
}

// dt = 1 ms allows one spike per step: 1000 Hz is the largest rate.
TEST(network_loader, poisson_rate_of_one_spike_per_step_is_accepted) {
    json j = valid_network();
    j["populations"][ni::noise]["params"]["rate"] = 1000.0;
    EXPECT_EQ(std::get<spike_source_poisson_params>(load(j).populations[ni::noise].params).rate, 1000.0);
    j["dt"] = 0.1;
    j["populations"][ni::noise]["params"]["rate"] = 10000.0;
    // Delays and epochs of the fixture stay whole steps at 0.1 ms.
    EXPECT_EQ(std::get<spike_source_poisson_params>(load(j).populations[ni::noise].params).rate, 10000.0);
}

TEST(network_loader, modulator_single_amplitude_and_default) {
    json j = valid_network();
    auto& params = j["populations"][ni::reward]["params"];
    params.erase("amplitudes");
    params["amplitude"] = 0.25;
    auto m = std::get<modulator_params>(load(j).populations[ni::reward].params);
    EXPECT_EQ(m.amplitudes, (std::vector<double>{0.25, 0.25}));
    params.erase("amplitude");
    m = std::get<modulator_params>(load(j).populations[ni::reward].params);
    EXPECT_EQ(m.amplitudes, (std::vector<double>{1.0, 1.0}));
}

TEST(network_loader, value_spec_kinds) {
    const network net = load(valid_network());
    // uniform initial voltage
    const auto& v = *net.populations[ni::exc].initial_v;
    EXPECT_EQ(v.type, value_spec::kind::uniform);
    EXPECT_EQ(v.low, -65.0);
    EXPECT_EQ(v.high, -55.0);
    EXPECT_EQ(v.min_value(), -65.0);
    EXPECT_EQ(v.max_value(), -55.0);
    // list initial voltage
    const auto& list = *net.populations[ni::inh].initial_v;
    EXPECT_EQ(list.type, value_spec::kind::list);
    EXPECT_EQ(list.values, (std::vector<double>{-65.0, -64.0, -63.0, -62.0, -61.0}));
    EXPECT_EQ(list.min_value(), -65.0);
    EXPECT_EQ(list.max_value(), -61.0);
    // normal_clipped weight
    const auto& w = net.projections[ni::exc_exc].weight;
    EXPECT_EQ(w.type, value_spec::kind::normal_clipped);
    EXPECT_EQ(w.mean, 0.5);
    EXPECT_EQ(w.sd, 0.1);
    EXPECT_EQ(w.min_value(), 0.0);
    EXPECT_EQ(w.max_value(), 1.0);
    // uniform delay
    const auto& d = net.projections[ni::exc_exc].delay;
    EXPECT_EQ(d.type, value_spec::kind::uniform);
    EXPECT_EQ(d.min_value(), 1.0);
    EXPECT_EQ(d.max_value(), 5.0);
    // constant weight
    const auto& c = net.projections[ni::stim_exc].weight;
    EXPECT_EQ(c.type, value_spec::kind::constant);
    EXPECT_EQ(c.value, 0.5);
    EXPECT_EQ(c.min_value(), 0.5);
    EXPECT_EQ(c.max_value(), 0.5);
    // list weight, in any order
    const auto& lw = net.projections[ni::noise_inh].weight;
    EXPECT_EQ(lw.type, value_spec::kind::list);
    EXPECT_EQ(lw.min_value(), 0.1);
    EXPECT_EQ(lw.max_value(), 0.5);
    EXPECT_FALSE(net.populations[ni::stim].initial_v.has_value());
}

TEST(network_loader, value_spec_normal_is_unbounded) {
    value_spec s;
    s.type = value_spec::kind::normal;
    s.mean = 1.0;
    s.sd = 0.5;
    EXPECT_EQ(s.min_value(), -std::numeric_limits<double>::infinity());
    EXPECT_EQ(s.max_value(), std::numeric_limits<double>::infinity());
}

TEST(network_loader, value_spec_list_out_of_order) {
    json j = valid_network();
    j["projections"][ni::noise_inh]["weight"] = {0.4, 0.1, 0.5, 0.2, 0.3};
    const network net = load(j);
    const auto& w = net.projections[ni::noise_inh].weight;
    EXPECT_EQ(w.min_value(), 0.1);
    EXPECT_EQ(w.max_value(), 0.5);
}

TEST(network_loader, connectors) {
    const network net = load(valid_network());
    ASSERT_EQ(net.projections.size(), 7u);
    const auto& all = net.projections[ni::stim_exc];
    EXPECT_EQ(all.name, "stim_exc");
    EXPECT_EQ(all.path, "/projections/0");
    EXPECT_EQ(all.pre, static_cast<std::size_t>(ni::stim));
    EXPECT_EQ(all.post, static_cast<std::size_t>(ni::exc));
    EXPECT_EQ(all.conn.kind, connector_kind::all_to_all);
    EXPECT_TRUE(all.conn.allow_self_connections);
    EXPECT_EQ(all.target, receptor::excitatory);

    const auto& prob = net.projections[ni::exc_exc];
    EXPECT_EQ(prob.conn.kind, connector_kind::fixed_probability);
    EXPECT_EQ(prob.conn.p, 0.1);
    EXPECT_FALSE(prob.conn.allow_self_connections);

    const auto& fixed = net.projections[ni::exc_inh];
    EXPECT_EQ(fixed.conn.kind, connector_kind::fixed_number_pre);
    EXPECT_EQ(fixed.conn.n, 3u);

    const auto& list = net.projections[ni::inh_exc];
    EXPECT_EQ(list.conn.kind, connector_kind::from_list);
    EXPECT_EQ(list.target, receptor::inhibitory);
    ASSERT_EQ(list.conn.connections.size(), 3u);
    EXPECT_EQ(list.conn.connections[0].pre, 0u);
    EXPECT_EQ(list.conn.connections[0].post, 0u);
    EXPECT_FALSE(list.conn.connections[0].weight.has_value());
    EXPECT_FALSE(list.conn.connections[0].delay.has_value());
    EXPECT_EQ(list.conn.connections[1].weight, std::optional<double>(0.3));
    EXPECT_FALSE(list.conn.connections[1].delay.has_value());
    EXPECT_EQ(list.conn.connections[2].pre, 4u);
    EXPECT_EQ(list.conn.connections[2].post, 9u);
    EXPECT_EQ(list.conn.connections[2].weight, std::optional<double>(0.4));
    EXPECT_EQ(list.conn.connections[2].delay, std::optional<double>(2.0));

    EXPECT_EQ(net.projections[ni::noise_inh].conn.kind, connector_kind::one_to_one);
}

TEST(network_loader, expected_synapses) {
    const network net = load(valid_network());
    auto expected = [&](int i) {
        const auto& p = net.projections[i];
        return p.expected_synapses(net.populations[p.pre].size, net.populations[p.post].size);
    };
    EXPECT_EQ(expected(ni::stim_exc), 3.0 * 10.0);
    EXPECT_DOUBLE_EQ(expected(ni::exc_exc), 0.1 * 10.0 * 9.0); // no self connections
    EXPECT_EQ(expected(ni::exc_inh), 3.0 * 5.0);
    EXPECT_EQ(expected(ni::inh_exc), 3.0);
    EXPECT_EQ(expected(ni::noise_inh), 5.0);
}

TEST(network_loader, projection_defaults) {
    json j = valid_network();
    j["projections"][ni::exc_inh].erase("name");
    const network net = load(j);
    const auto& p = net.projections[ni::exc_inh];
    EXPECT_EQ(p.name, "projection2");
    // No delay: one time step.
    EXPECT_EQ(p.delay.type, value_spec::kind::constant);
    EXPECT_EQ(p.delay.value, net.dt);
    EXPECT_EQ(p.target, receptor::excitatory);
    EXPECT_FALSE(p.rule.has_value());
}

TEST(network_loader, projection_rules_are_indices) {
    const network net = load(valid_network());
    EXPECT_EQ(net.projections[ni::stim_exc].rule, std::optional<std::size_t>(ni::stdp));
    EXPECT_EQ(net.projections[ni::exc_exc].rule, std::optional<std::size_t>(ni::rstdp));
    EXPECT_EQ(net.projections[ni::noise_inh].rule, std::optional<std::size_t>(ni::triplet));
    EXPECT_EQ(net.projections[ni::cue_inh].rule, std::optional<std::size_t>(ni::sop));
    EXPECT_EQ(net.projections[ni::cue_exc].rule, std::optional<std::size_t>(ni::gdhl));
}

TEST(network_loader, every_rule_kind) {
    const network net = load(valid_network());
    ASSERT_EQ(net.rules.size(), 5u);
    EXPECT_EQ(net.rules[ni::stdp].kind, rule_kind::pair_stdp);
    EXPECT_EQ(net.rules[ni::triplet].kind, rule_kind::triplet_stdp);
    EXPECT_EQ(net.rules[ni::rstdp].kind, rule_kind::three_factor);
    EXPECT_EQ(net.rules[ni::sop].kind, rule_kind::sum_of_products);
    EXPECT_EQ(net.rules[ni::gdhl].kind, rule_kind::gdhl);
    EXPECT_EQ(net.rules[ni::sop].path, "/plasticity/3");

    const auto& pair = std::get<pair_stdp_params>(net.rules[ni::stdp].params);
    EXPECT_EQ(pair.tau_plus, 16.8);
    EXPECT_EQ(pair.tau_minus, 33.7);
    EXPECT_EQ(pair.a_plus, 0.01);
    EXPECT_EQ(pair.a_minus, 0.012);
    EXPECT_EQ(pair.w_max, 2.0);
    EXPECT_EQ(pair.dependence, weight_dependence::multiplicative);
    EXPECT_FALSE(net.rules[ni::stdp].modulator.has_value());
    EXPECT_EQ(net.rules[ni::stdp].epoch, 0.0);

    // Pfister & Gerstner 2006 (all-to-all, visual cortex) defaults.
    const auto& triplet = std::get<triplet_stdp_params>(net.rules[ni::triplet].params);
    EXPECT_EQ(triplet.tau_plus, 16.8);
    EXPECT_EQ(triplet.tau_minus, 33.7);
    EXPECT_EQ(triplet.tau_x, 101.0);
    EXPECT_EQ(triplet.tau_y, 125.0);

    const auto& three = std::get<three_factor_params>(net.rules[ni::rstdp].params);
    EXPECT_EQ(three.tau_eligibility, 500.0);
    EXPECT_EQ(three.learning_rate, 0.02);
    EXPECT_EQ(three.w_max, 2.0);
    EXPECT_EQ(three.tau_modulator, 200.0); // default kept
    EXPECT_EQ(net.rules[ni::rstdp].modulator, std::optional<std::size_t>(ni::reward));

    const auto& sop = std::get<sum_of_products_params>(net.rules[ni::sop].params);
    EXPECT_EQ(sop.dw_text, "2^-2*x1*y0 - 2^-2*y1*x0");
    EXPECT_EQ(sop.dw.terms.size(), 2u);
    EXPECT_EQ(sop.dt_text, "2^-4*r1*t");
    ASSERT_EQ(sop.dt.terms.size(), 1u);
    EXPECT_EQ(sop.dt.terms[0].scale, -4);
    EXPECT_TRUE(sop.dt.uses(isa::learn_operand::r1));
    EXPECT_EQ(sop.tau_x1, 10.0);
    EXPECT_EQ(sop.tau_y1, 20.0);
    EXPECT_EQ(net.rules[ni::sop].epoch, 2.0);
    EXPECT_EQ(net.rules[ni::sop].modulator, std::optional<std::size_t>(ni::reward));

    const auto& g = std::get<gdhl_params>(net.rules[ni::gdhl].params);
    EXPECT_EQ(g.eta_sp, 0.5);
    EXPECT_EQ(g.sigma_nn, -0.25);
    EXPECT_EQ(g.eta_sn, 0.0);
}

TEST(network_loader, sum_of_products_sixteen_terms_fit_the_engine) {
    json j = valid_network();
    auto& params = j["plasticity"][ni::sop]["params"];
    std::string dw = "x0";
    for (int i = 1; i < 10; ++i) {
        dw += " + x0";
    }
    params["dw"] = dw;
    params["dt"] = "x1 + x1 + x1 + x1 + x1 + x1";
    const network net = load(j);
    const auto& sop = std::get<sum_of_products_params>(net.rules[ni::sop].params);
    EXPECT_EQ(sop.dw.terms.size() + sop.dt.terms.size(), 16u);
}

TEST(network_loader, recordings) {
    const network net = load(valid_network());
    ASSERT_EQ(net.recordings.size(), 3u);
    const auto& r0 = net.recordings[0];
    EXPECT_EQ(r0.path, "/recording/0");
    EXPECT_EQ(r0.population, static_cast<std::size_t>(ni::exc));
    EXPECT_EQ(r0.variables, (std::vector<recorded_variable>{recorded_variable::spikes, recorded_variable::v}));
    EXPECT_EQ(r0.neurons, (std::vector<std::uint32_t>{0, 1}));
    EXPECT_EQ(r0.interval, 2.0);
    const auto& r1 = net.recordings[1];
    EXPECT_EQ(r1.population, static_cast<std::size_t>(ni::stim));
    EXPECT_TRUE(r1.neurons.empty());
    EXPECT_EQ(r1.interval, 0.0);
    const auto& r2 = net.recordings[2];
    EXPECT_EQ(r2.variables,
              (std::vector<recorded_variable>{recorded_variable::i_exc, recorded_variable::i_inh}));
    EXPECT_TRUE(r2.neurons.empty()); // "all"
}

TEST(network_loader, optional_sections_may_be_absent) {
    json j = valid_network();
    j.erase("projections");
    j.erase("plasticity");
    j.erase("recording");
    j.erase("seed");
    j.erase("description");
    const network net = load(j);
    EXPECT_EQ(net.populations.size(), 6u);
    EXPECT_TRUE(net.projections.empty());
    EXPECT_TRUE(net.rules.empty());
    EXPECT_TRUE(net.recordings.empty());
    EXPECT_EQ(net.seed, 0u);
}

TEST(network_loader, names_up_to_64_characters) {
    json j = valid_network();
    const std::string name = "_" + std::string(63, 'a');
    j["name"] = name;
    j["projections"][0]["name"] = name;
    const network net = load(j);
    EXPECT_EQ(net.name, name);
    EXPECT_EQ(net.projections[0].name, name);
}

TEST(network_loader, load_network_from_document) {
    const auto doc = json_input::parse(valid_network().dump(), "doc.json");
    const network net = load_network(*doc);
    EXPECT_EQ(net.source, "doc.json");
    EXPECT_EQ(net.populations.size(), 6u);
}

TEST(network_loader, enum_names) {
    EXPECT_EQ(to_string(neuron_model::if_curr_exp), "IF_curr_exp");
    EXPECT_EQ(to_string(neuron_model::spike_source_array), "SpikeSourceArray");
    EXPECT_EQ(to_string(neuron_model::spike_source_poisson), "SpikeSourcePoisson");
    EXPECT_EQ(to_string(neuron_model::modulator), "Modulator");
    EXPECT_EQ(to_string(connector_kind::all_to_all), "AllToAll");
    EXPECT_EQ(to_string(connector_kind::one_to_one), "OneToOne");
    EXPECT_EQ(to_string(connector_kind::fixed_probability), "FixedProbability");
    EXPECT_EQ(to_string(connector_kind::fixed_number_pre), "FixedNumberPre");
    EXPECT_EQ(to_string(connector_kind::from_list), "FromList");
    EXPECT_EQ(to_string(rule_kind::pair_stdp), "pair_stdp");
    EXPECT_EQ(to_string(rule_kind::triplet_stdp), "triplet_stdp");
    EXPECT_EQ(to_string(rule_kind::three_factor), "three_factor");
    EXPECT_EQ(to_string(rule_kind::sum_of_products), "sum_of_products");
    EXPECT_EQ(to_string(rule_kind::gdhl), "gdhl");
    EXPECT_EQ(to_string(receptor::excitatory), "excitatory");
    EXPECT_EQ(to_string(receptor::inhibitory), "inhibitory");
    EXPECT_EQ(to_string(recorded_variable::spikes), "spikes");
    EXPECT_EQ(to_string(recorded_variable::v), "v");
    EXPECT_EQ(to_string(recorded_variable::i_exc), "i_exc");
    EXPECT_EQ(to_string(recorded_variable::i_inh), "i_inh");
}

// --- spike files ------------------------------------------------------------

TEST(network_loader, spike_file_is_read) {
    const temp_dir dir("spike_file_read");
    const auto file = dir.write("spikes.txt", "# neuron,time_ms\n0,1.0\n\n2 4.5\n0,3\n   \n1,\t2.0\r\n");
    json j = valid_network();
    j["populations"][ni::stim]["params"] = {{"spike_times_file", file.string()}};
    const network net = load(j);
    const auto& a = std::get<spike_source_array_params>(net.populations[ni::stim].params);
    EXPECT_EQ(a.file, file.string());
    ASSERT_EQ(a.times.size(), 3u);
    EXPECT_EQ(a.times[0], (std::vector<double>{1.0, 3.0}));
    EXPECT_EQ(a.times[1], (std::vector<double>{2.0}));
    EXPECT_EQ(a.times[2], (std::vector<double>{4.5}));
}

TEST(network_loader, spike_file_relative_to_base_directory) {
    const temp_dir dir("spike_file_base");
    dir.write("spikes.txt", "1,7.0\n");
    json j = valid_network();
    j["populations"][ni::stim]["params"] = {{"spike_times_file", "spikes.txt"}};
    network_load_options options;
    options.base_directory = dir.path();
    const network net = load(j, options);
    const auto& a = std::get<spike_source_array_params>(net.populations[ni::stim].params);
    EXPECT_EQ(a.file, "spikes.txt");
    EXPECT_EQ(a.times[1], (std::vector<double>{7.0}));
}

TEST(network_loader, spike_file_relative_to_network_file) {
    const temp_dir dir("spike_file_network_dir");
    dir.write("spikes.txt", "2,9.0\n");
    json j = valid_network();
    j["populations"][ni::stim]["params"] = {{"spike_times_file", "spikes.txt"}};
    const auto file = dir.write("network.json", j.dump(2));
    const network net = load_network_file(file);
    EXPECT_EQ(net.source, file.string());
    const auto& a = std::get<spike_source_array_params>(net.populations[ni::stim].params);
    EXPECT_EQ(a.times[2], (std::vector<double>{9.0}));
}

TEST(network_loader, errors_in_a_file_name_the_file) {
    const temp_dir dir("network_file_error");
    json j = valid_network();
    j["dt"] = -1.0;
    const auto file = dir.write("network.json", j.dump(2));
    try {
        (void)load_network_file(file);
        FAIL() << "expected a range_error";
    }
    catch (const range_error& e) {
        EXPECT_EQ(e.source(), file.string());
        EXPECT_EQ(e.path(), "/dt");
    }
}

// --- examples -----------------------------------------------------------------

TEST(network_loader, every_example_loads) {
    const auto files = example_files();
    ASSERT_FALSE(files.empty());
    for (const auto& file: files) {
        SCOPED_TRACE(file.string());
        const json raw = read_json(file);
        const network net = load_network_file(file);
        EXPECT_EQ(net.name, raw["name"].get<std::string>());
        EXPECT_EQ(net.dt, raw["dt"].get<double>());
        ASSERT_EQ(net.populations.size(), raw["populations"].size());
        std::size_t neurons = 0;
        for (std::size_t i = 0; i < raw["populations"].size(); ++i) {
            const auto& p = raw["populations"][i];
            EXPECT_EQ(net.populations[i].name, p["name"].get<std::string>());
            EXPECT_EQ(net.populations[i].size, p["size"].get<std::uint32_t>());
            EXPECT_EQ(to_string(net.populations[i].model), p["model"].get<std::string>());
            neurons += p["size"].get<std::size_t>();
        }
        EXPECT_EQ(net.neuron_count(), neurons);
        EXPECT_EQ(net.projections.size(), raw.value("projections", json::array()).size());
        EXPECT_EQ(net.rules.size(), raw.value("plasticity", json::array()).size());
        EXPECT_EQ(net.recordings.size(), raw.value("recording", json::array()).size());
    }
}

} // namespace
