// Bad network descriptions: one mutation of a valid network per case, each
// asserting the exact error type, the JSON pointer it names and the fields
// that identify the offending value.

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/compiler/network_loader.hpp>

#include "network_error_cases.hpp"

namespace {

using namespace engram;
using namespace engram::test;
using namespace engram::test::net_index;
using nlohmann::json;


class bad_network: public ::testing::TestWithParam<network_case> {};

TEST_P(bad_network, is_rejected_with_type_and_path) {
    const network_case& c = GetParam();
    const std::string text = c.text();
    expect_throw([&] { (void)compiler::load_network_text(text, "net.json", c.options); }, c.check);
}

INSTANTIATE_TEST_SUITE_P(network_loader, bad_network, ::testing::ValuesIn(all_network_cases()),
                         [](const ::testing::TestParamInfo<network_case>& p) { return p.param.name; });

// The table's names are distinct, and each case is a different input.
TEST(network_errors, cases_are_distinct) {
    const auto cases = all_network_cases();
    std::set<std::string> names;
    std::set<std::string> texts;
    for (const auto& c: cases) {
        EXPECT_TRUE(names.insert(c.name).second) << c.name;
        const std::string text = c.text();
        EXPECT_TRUE(texts.insert(text).second || c.options.limits.max_bytes != json_input::limits{}.max_bytes ||
                    c.options.limits.max_depth != json_input::limits{}.max_depth)
            << c.name;
    }
    EXPECT_GE(cases.size(), 45u);
}

TEST(network_errors, message_is_one_line_with_source_and_path) {
    json j = valid_network();
    j["projections"][3]["weight"] = "abc";
    try {
        (void)load(j);
        FAIL() << "expected a type_error";
    }
    catch (const type_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("net.json: /projections/3/weight: ", 0), 0u) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        EXPECT_EQ(e.source(), "net.json");
    }
}

TEST(network_errors, message_at_document_root_has_no_empty_path) {
    json j = valid_network();
    j.erase("format");
    try {
        (void)load(j);
        FAIL() << "expected a missing_key_error";
    }
    catch (const missing_key_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("net.json: ", 0), 0u) << what;
        EXPECT_EQ(what.find("net.json: : "), std::string::npos) << what;
        EXPECT_NE(what.find("\"format\""), std::string::npos) << what;
    }
}

// Every user error is a user_error (the CLI's one-line, exit-1 path), never
// a logic_error.
TEST(network_errors, every_case_is_a_user_error) {
    for (const auto& c: all_network_cases()) {
        SCOPED_TRACE(c.name);
        const std::string text = c.text();
        try {
            (void)compiler::load_network_text(text, "net.json", c.options);
            ADD_FAILURE() << "nothing thrown";
        }
        catch (const user_error&) {
        }
        catch (const std::exception& e) {
            ADD_FAILURE() << "not a user_error: " << typeid(e).name() << ": " << e.what();
        }
    }
}

// A FromList connection's own weight overrides the projection's; a plastic
// projection's initial weights must all lie within its rule's bounds, so an
// override outside them is as wrong as a projection weight outside them.
TEST(network_errors, from_list_weight_outside_rule_bounds) {
    json j = valid_network();
    proj(j, inh_exc)["plasticity"] = "stdp"; // w in [0, 2]
    proj(j, inh_exc)["connector"]["connections"][1][2] = 5.0;
    expect_throw([&] { (void)load(j); }, conflict("/projections/3/connector/connections/1/2"));
}

// --- spike files ----------------------------------------------------------

json network_with_spike_file(const std::string& file) {
    json j = valid_network();
    pop(j, stim)["params"] = {{"spike_times_file", file}};
    return j;
}

// A spike-file error: a plain input_error whose source is "FILE:LINE".
checker at_line(const std::filesystem::path& file, int line) {
    return [source = file.string() + ":" + std::to_string(line)](const std::exception_ptr& thrown) {
        try {
            std::rethrow_exception(thrown);
        }
        catch (const input_error& e) {
            EXPECT_EQ(typeid(e), typeid(input_error)) << e.what();
            EXPECT_EQ(e.source(), source) << e.what();
            EXPECT_EQ(e.path(), "");
            EXPECT_EQ(std::string(e.what()).rfind(source + ": ", 0), 0u) << e.what();
        }
        catch (const std::exception& e) {
            ADD_FAILURE() << "expected an input_error, got " << typeid(e).name() << ": " << e.what();
        }
    };
}

TEST(network_errors, spike_file_bad_line_names_file_and_line) {
    const temp_dir dir("spike_bad_line");
    const auto file = dir.write("spikes.txt", "# neuron,time\n0,1.0\n1,abc\n");
    expect_throw([&] { (void)load(network_with_spike_file(file.string())); }, at_line(file, 3));
}

TEST(network_errors, spike_file_extra_field) {
    const temp_dir dir("spike_extra_field");
    const auto file = dir.write("spikes.txt", "0,1.0,7\n");
    expect_throw([&] { (void)load(network_with_spike_file(file.string())); }, at_line(file, 1));
}

TEST(network_errors, spike_file_neuron_out_of_range) {
    const temp_dir dir("spike_neuron_range");
    // stim has 3 neurons; blank lines count.
    const auto file = dir.write("spikes.txt", "0,1.0\n\n3,2.0\n");
    expect_throw([&] { (void)load(network_with_spike_file(file.string())); }, at_line(file, 3));
}

TEST(network_errors, spike_file_negative_neuron) {
    const temp_dir dir("spike_negative_neuron");
    const auto file = dir.write("spikes.txt", "-1,2.0\n");
    expect_throw([&] { (void)load(network_with_spike_file(file.string())); }, at_line(file, 1));
}

TEST(network_errors, spike_file_time_not_increasing) {
    const temp_dir dir("spike_time_order");
    // Neuron 1 may spike before neuron 0's last spike; neuron 0 may not repeat 3.0.
    const auto file = dir.write("spikes.txt", "0,1.0\n1,0.5\n0,3.0\n0 3.0\n");
    expect_throw([&] { (void)load(network_with_spike_file(file.string())); }, at_line(file, 4));
}

TEST(network_errors, spike_file_negative_time) {
    const temp_dir dir("spike_negative_time");
    const auto file = dir.write("spikes.txt", "2,-1.0\n");
    expect_throw([&] { (void)load(network_with_spike_file(file.string())); }, at_line(file, 1));
}

TEST(network_errors, spike_file_missing) {
    const temp_dir dir("spike_missing");
    const auto file = dir.path() / "absent.txt";
    try {
        (void)load(network_with_spike_file(file.string()));
        FAIL() << "expected a file_error";
    }
    catch (const file_error& e) {
        EXPECT_EQ(e.file, file.string());
    }
}

TEST(network_errors, spike_file_too_large) {
    const temp_dir dir("spike_too_large");
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        text += "0," + std::to_string(i + 1) + ".0\n";
    }
    const auto file = dir.write("spikes.txt", text);
    compiler::network_load_options options;
    // The network fits, the file does not.
    options.limits.max_bytes = network_with_spike_file(file.string()).dump().size();
    ASSERT_GT(text.size(), options.limits.max_bytes);
    try {
        (void)load(network_with_spike_file(file.string()), options);
        FAIL() << "expected an input_too_large_error";
    }
    catch (const input_too_large_error& e) {
        EXPECT_EQ(e.bytes, text.size());
        EXPECT_EQ(e.limit, options.limits.max_bytes);
        EXPECT_EQ(e.source(), file.string());
    }
}

} // namespace
