// Chip descriptions (engram-chip/1): the presets, and bad descriptions made
// from the tiny preset with one change each.

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/common/error.hpp>
#include <engram/common/json_input.hpp>
#include <engram/compiler/chip.hpp>

#include "network_fixtures.hpp"

namespace {

using namespace engram;
using namespace engram::compiler;
using namespace engram::test;
using nlohmann::json;

// Pointers of every number in j (what "sources" must cover), computed here
// independently of the loader.
void numbers_in(const json& j, const std::string& path, std::set<std::string>& out) {
    if (j.is_number()) {
        out.insert(path);
    }
    else if (j.is_object()) {
        for (const auto& item: j.items()) {
            if (path.empty() && item.key() == "sources") {
                continue;
            }
            numbers_in(item.value(), path + "/" + item.key(), out);
        }
    }
}

std::string preset_file_text(std::string_view name) {
    std::ifstream in(std::filesystem::path(ENGRAM_SOURCE_DIR) / "compiler" / "presets" /
                     (std::string(name) + ".json"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// --- presets ------------------------------------------------------------------

TEST(chip_loader, preset_names) {
    const auto names = chip_preset_names();
    const std::set<std::string_view> set(names.begin(), names.end());
    EXPECT_EQ(set, (std::set<std::string_view>{"loihi-like", "tiny", "truenorth-like"}));
    // One preset per file in compiler/presets.
    std::size_t files = 0;
    for (const auto& entry: std::filesystem::directory_iterator(std::filesystem::path(ENGRAM_SOURCE_DIR) / "compiler" /
                                                                "presets")) {
        files += entry.path().extension() == ".json" ? 1 : 0;
    }
    EXPECT_EQ(names.size(), files);
}

TEST(chip_loader, preset_text_is_the_file) {
    for (auto name: chip_preset_names()) {
        SCOPED_TRACE(std::string(name));
        const auto text = chip_preset_text(name);
        ASSERT_TRUE(text.has_value());
        EXPECT_EQ(json::parse(*text), json::parse(preset_file_text(name)));
    }
    EXPECT_FALSE(chip_preset_text("nonexistent").has_value());
}

TEST(chip_loader, every_preset_loads_and_every_number_has_a_source) {
    for (auto name: chip_preset_names()) {
        SCOPED_TRACE(std::string(name));
        const auto text = chip_preset_text(name);
        ASSERT_TRUE(text.has_value());
        const auto doc = json_input::parse(*text, std::string(name));
        const chip_spec chip = compiler::load_chip(*doc);
        EXPECT_EQ(chip.name, std::string(name));
        EXPECT_TRUE(figures_without_source(*doc, chip).empty());
        // And "sources" cites exactly the numbers there are, no more.
        std::set<std::string> numbers;
        numbers_in(doc->root(), "", numbers);
        std::set<std::string> cited;
        for (const auto& [pointer, citation]: chip.sources) {
            cited.insert(pointer);
            EXPECT_FALSE(citation.empty()) << pointer;
        }
        EXPECT_EQ(cited, numbers);
    }
}

TEST(chip_loader, every_preset_loads_through_load_chip_preset) {
    for (auto name: chip_preset_names()) {
        SCOPED_TRACE(std::string(name));
        const chip_spec chip = load_chip_preset(name);
        EXPECT_EQ(chip.source, "preset " + std::string(name));
        EXPECT_GE(chip.core_count(), 1u);
        EXPECT_GT(chip.timing.clock_mhz, 0.0);
    }
}

TEST(chip_loader, tiny_figures) {
    const chip_spec c = load_chip_preset("tiny");
    const json raw = tiny_chip();
    EXPECT_EQ(c.name, "tiny");
    EXPECT_EQ(c.description, raw["description"].get<std::string>());
    EXPECT_EQ(c.mesh.width, raw["mesh"]["width"].get<std::uint32_t>());
    EXPECT_EQ(c.mesh.height, raw["mesh"]["height"].get<std::uint32_t>());
    EXPECT_EQ(c.chips.width, raw["chips"]["width"].get<std::uint32_t>());
    EXPECT_EQ(c.chips.height, raw["chips"]["height"].get<std::uint32_t>());
    EXPECT_EQ(c.core_count(), c.mesh.count() * c.chips.count());
    EXPECT_EQ(c.core_count(), 8u); // docs/chips.md: two chips, each 2 x 2
    const auto& core = raw["core"];
    EXPECT_EQ(c.core.neurons, core["neurons"].get<std::uint32_t>());
    EXPECT_EQ(c.core.synapse_words, core["synapse_words"].get<std::uint32_t>());
    EXPECT_EQ(c.core.input_axons, core["input_axons"].get<std::uint32_t>());
    EXPECT_EQ(c.core.output_axons, core["output_axons"].get<std::uint32_t>());
    EXPECT_EQ(c.core.neuron_profiles, core["neuron_profiles"].get<std::uint32_t>());
    EXPECT_EQ(c.core.trace_profiles, core["trace_profiles"].get<std::uint32_t>());
    EXPECT_EQ(c.core.learning_rules, core["learning_rules"].get<std::uint32_t>());
    EXPECT_EQ(c.core.microcode_words, core["microcode_words"].get<std::uint32_t>());
    EXPECT_EQ(c.core.router_entries, core["router_entries"].get<std::uint32_t>());
    EXPECT_EQ(c.core.max_delay, core["max_delay"].get<std::uint32_t>());
    EXPECT_TRUE(c.has_learning());
    EXPECT_EQ(c.timing.clock_mhz, raw["timing"]["clock_mhz"].get<double>());
    EXPECT_EQ(c.timing.cycles_per_hop_north_south, raw["timing"]["cycles_per_hop_north_south"].get<double>());
    EXPECT_EQ(c.timing.link_flits_per_cycle, raw["timing"]["link_flits_per_cycle"].get<double>());
    EXPECT_EQ(c.energy.synaptic_op_pj, raw["energy"]["synaptic_op_pj"].get<double>());
    EXPECT_EQ(c.energy.static_power_mw_per_core, raw["energy"]["static_power_mw_per_core"].get<double>());
    ASSERT_TRUE(c.inter_chip.has_value());
    EXPECT_EQ(c.inter_chip->cycles_per_hop, raw["inter_chip"]["cycles_per_hop"].get<double>());
    EXPECT_EQ(c.inter_chip->hop_pj, raw["inter_chip"]["hop_pj"].get<double>());
    EXPECT_EQ(c.sources.size(), raw["sources"].size());
}

TEST(chip_loader, single_chip_presets) {
    const chip_spec loihi = load_chip_preset("loihi-like");
    EXPECT_EQ(loihi.chips.count(), 1u);
    EXPECT_EQ(loihi.core_count(), 128u);
    EXPECT_FALSE(loihi.inter_chip.has_value());
    EXPECT_TRUE(loihi.has_learning());
    const chip_spec truenorth = load_chip_preset("truenorth-like");
    EXPECT_EQ(truenorth.core_count(), 4096u);
    EXPECT_FALSE(truenorth.has_learning());
    EXPECT_EQ(truenorth.core.learning_rules, 0u);
}

TEST(chip_loader, number_without_source_is_reported) {
    json j = tiny_chip();
    j["sources"].erase("/core/max_delay");
    j["sources"].erase("/inter_chip/hop_pj");
    const auto doc = json_input::parse(j.dump(), "chip.json");
    const chip_spec chip = compiler::load_chip(*doc);
    auto missing = figures_without_source(*doc, chip);
    std::sort(missing.begin(), missing.end());
    EXPECT_EQ(missing, (std::vector<std::string>{"/core/max_delay", "/inter_chip/hop_pj"}));
}

TEST(chip_loader, own_chip_file) {
    const temp_dir dir("chip_file");
    json j = tiny_chip();
    j["name"] = "my-chip-2";
    j["core"]["neurons"] = 4096; // the largest a core may have
    const auto file = dir.write("my-chip.json", j.dump(2));
    const chip_spec chip = load_chip_file(file);
    EXPECT_EQ(chip.name, "my-chip-2");
    EXPECT_EQ(chip.source, file.string());
    EXPECT_EQ(chip.core.neurons, 4096u);
    // resolve_chip: a path is a file, a bare name a preset.
    EXPECT_EQ(resolve_chip(file.string()).name, "my-chip-2");
    EXPECT_EQ(resolve_chip("tiny").name, "tiny");
    EXPECT_EQ(resolve_chip("tiny").source, "preset tiny");
}

TEST(chip_loader, resolve_missing_file) {
    const temp_dir dir("chip_missing");
    const auto file = dir.path() / "absent.json";
    try {
        (void)resolve_chip(file.string());
        FAIL() << "expected a file_error";
    }
    catch (const file_error& e) {
        EXPECT_EQ(e.file, file.string());
    }
}

TEST(chip_loader, unknown_preset_with_suggestion) {
    try {
        (void)load_chip_preset("tinny");
        FAIL() << "expected an unknown_reference_error";
    }
    catch (const unknown_reference_error& e) {
        EXPECT_EQ(e.kind, "chip preset");
        EXPECT_EQ(e.name, "tinny");
        EXPECT_EQ(e.suggestion, "tiny");
        EXPECT_EQ(e.source(), "--chip");
    }
    try {
        (void)resolve_chip("spinnaker");
        FAIL() << "expected an unknown_reference_error";
    }
    catch (const unknown_reference_error& e) {
        EXPECT_EQ(e.name, "spinnaker");
        EXPECT_EQ(e.suggestion, "");
    }
}

TEST(chip_loader, most_cores_the_aer_packet_addresses) {
    json j = tiny_chip();
    j["mesh"] = {{"width", 256}, {"height", 128}}; // x 2 chips = 65,536 cores
    EXPECT_EQ(load_chip(j).core_count(), 65536u);
}

TEST(chip_loader, learning_engine_off_needs_both_zero) {
    json j = tiny_chip();
    j["core"]["learning_rules"] = 0;
    j["core"]["microcode_words"] = 0;
    EXPECT_FALSE(load_chip(j).has_learning());
}

// --- bad chips -----------------------------------------------------------------

struct chip_case {
    std::string name;
    std::function<std::string()> text;
    checker check;
};

std::function<std::string()> mutate(std::function<void(json&)> change) {
    return [change = std::move(change)] {
        json j = tiny_chip();
        change(j);
        return j.dump();
    };
}

checker unknown_key(std::string path, std::string key, std::string suggestion) {
    return expect<unknown_key_error>(std::move(path), [key, suggestion](const unknown_key_error& e) {
        EXPECT_EQ(e.key, key);
        EXPECT_EQ(e.suggestion, suggestion);
    });
}

checker out_of_range(std::string path, double value) {
    return expect<range_error>(std::move(path), [value](const range_error& e) {
        EXPECT_EQ(e.value, value);
        EXPECT_FALSE(e.expected.empty());
    });
}

checker invalid_value(std::string path, std::string value) {
    return expect<invalid_value_error>(std::move(path),
                                       [value](const invalid_value_error& e) { EXPECT_EQ(e.value, value); });
}

checker type_mismatch(std::string path, std::string expected) {
    return expect<type_error>(std::move(path), [expected](const type_error& e) { EXPECT_EQ(e.expected, expected); });
}

checker missing_key(std::string path, std::string key) {
    return expect<missing_key_error>(std::move(path), [key](const missing_key_error& e) { EXPECT_EQ(e.key, key); });
}

void rename(json& o, const std::string& from, const std::string& to) {
    json value = o[from];
    o.erase(from);
    o[to] = value;
}

std::vector<chip_case> chip_cases() {
    std::vector<chip_case> c;
    c.push_back({"truncated",
                 [] {
                     const std::string text(*chip_preset_text("tiny"));
                     return text.substr(0, text.find("\"core\""));
                 },
                 expect<json_syntax_error>("", [](const json_syntax_error& e) {
                     const std::string text(*chip_preset_text("tiny"));
                     const std::string cut = text.substr(0, text.find("\"core\""));
                     const auto newlines = static_cast<std::size_t>(std::count(cut.begin(), cut.end(), '\n'));
                     EXPECT_EQ(e.line, newlines + 1);
                     EXPECT_EQ(e.column, cut.size() - cut.rfind('\n')); // just past the end
                 })});
    c.push_back({"top_level_typo", mutate([](json& j) { rename(j, "sources", "sourcs"); }),
                 unknown_key("/sourcs", "sourcs", "sources")});
    c.push_back({"core_typo", mutate([](json& j) { rename(j["core"], "neurons", "neuron"); }),
                 unknown_key("/core/neuron", "neuron", "neurons")});
    c.push_back({"timing_typo", mutate([](json& j) { rename(j["timing"], "clock_mhz", "clock_mz"); }),
                 unknown_key("/timing/clock_mz", "clock_mz", "clock_mhz")});
    c.push_back({"energy_key_wrong_case",
                 mutate([](json& j) { rename(j["energy"], "synaptic_op_pj", "synaptic_op_pJ"); }),
                 unknown_key("/energy/synaptic_op_pJ", "synaptic_op_pJ", "synaptic_op_pj")});
    c.push_back({"mesh_typo", mutate([](json& j) { rename(j["mesh"], "width", "widt"); }),
                 unknown_key("/mesh/widt", "widt", "width")});
    c.push_back({"wrong_format", mutate([](json& j) { j["format"] = "engram-network/1"; }),
                 invalid_value("/format", "engram-network/1")});
    c.push_back({"missing_format", mutate([](json& j) { j.erase("format"); }), missing_key("", "format")});
    c.push_back({"missing_name", mutate([](json& j) { j.erase("name"); }), missing_key("", "name")});
    c.push_back({"name_upper_case", mutate([](json& j) { j["name"] = "Tiny"; }), invalid_value("/name", "Tiny")});
    c.push_back({"name_underscore", mutate([](json& j) { j["name"] = "my_chip"; }),
                 invalid_value("/name", "my_chip")});
    c.push_back({"name_too_long", mutate([](json& j) { j["name"] = std::string(65, 'a'); }),
                 invalid_value("/name", std::string(65, 'a'))});
    c.push_back({"description_number", mutate([](json& j) { j["description"] = 1; }),
                 type_mismatch("/description", "a string")});
    c.push_back({"missing_core", mutate([](json& j) { j.erase("core"); }), missing_key("", "core")});
    c.push_back({"missing_core_key", mutate([](json& j) { j["core"].erase("router_entries"); }),
                 missing_key("/core", "router_entries")});
    c.push_back({"missing_timing_key", mutate([](json& j) { j["timing"].erase("clock_mhz"); }),
                 missing_key("/timing", "clock_mhz")});
    c.push_back({"mesh_array", mutate([](json& j) { j["mesh"] = {2, 2}; }), type_mismatch("/mesh", "an object")});
    c.push_back({"mesh_width_zero", mutate([](json& j) { j["mesh"]["width"] = 0; }),
                 out_of_range("/mesh/width", 0)});
    c.push_back({"mesh_width_too_large", mutate([](json& j) { j["mesh"]["width"] = 4097; }),
                 out_of_range("/mesh/width", 4097)});
    c.push_back({"mesh_height_string", mutate([](json& j) { j["mesh"]["height"] = "2"; }),
                 type_mismatch("/mesh/height", "an integer")});
    c.push_back({"chips_width_zero", mutate([](json& j) { j["chips"]["width"] = 0; }),
                 out_of_range("/chips/width", 0)});
    c.push_back({"too_many_cores",
                 mutate([](json& j) { j["mesh"] = {{"width", 256}, {"height", 256}}; }), // x 2 chips
                 expect<chip_limit_error>("/mesh", [](const chip_limit_error& e) {
                     EXPECT_EQ(e.resource, "cores");
                     EXPECT_EQ(e.needed, 131072.0);
                     EXPECT_EQ(e.available, 65536.0);
                 })});
    c.push_back({"neurons_above_4096", mutate([](json& j) { j["core"]["neurons"] = 4097; }),
                 out_of_range("/core/neurons", 4097)});
    c.push_back({"neurons_fraction", mutate([](json& j) { j["core"]["neurons"] = 16.5; }),
                 type_mismatch("/core/neurons", "an integer")});
    c.push_back({"max_delay_zero", mutate([](json& j) { j["core"]["max_delay"] = 0; }),
                 out_of_range("/core/max_delay", 0)});
    c.push_back({"max_delay_64", mutate([](json& j) { j["core"]["max_delay"] = 64; }),
                 out_of_range("/core/max_delay", 64)});
    c.push_back({"synapse_words_zero", mutate([](json& j) { j["core"]["synapse_words"] = 0; }),
                 out_of_range("/core/synapse_words", 0)});
    c.push_back({"synapse_words_above_2_20", mutate([](json& j) { j["core"]["synapse_words"] = (1 << 20) + 1; }),
                 out_of_range("/core/synapse_words", (1 << 20) + 1)});
    c.push_back({"input_axons_above_4096", mutate([](json& j) { j["core"]["input_axons"] = 4097; }),
                 out_of_range("/core/input_axons", 4097)});
    c.push_back({"router_entries_zero", mutate([](json& j) { j["core"]["router_entries"] = 0; }),
                 out_of_range("/core/router_entries", 0)});
    c.push_back({"trace_profiles_above_8", mutate([](json& j) { j["core"]["trace_profiles"] = 9; }),
                 out_of_range("/core/trace_profiles", 9)});
    c.push_back({"learning_rules_above_16", mutate([](json& j) { j["core"]["learning_rules"] = 17; }),
                 out_of_range("/core/learning_rules", 17)});
    c.push_back({"microcode_words_above_256", mutate([](json& j) { j["core"]["microcode_words"] = 257; }),
                 out_of_range("/core/microcode_words", 257)});
    c.push_back({"learning_without_trace_profiles", mutate([](json& j) { j["core"]["trace_profiles"] = 0; }),
                 expect<conflict_error>("/core/trace_profiles")});
    c.push_back({"learning_rules_without_microcode", mutate([](json& j) { j["core"]["microcode_words"] = 0; }),
                 expect<conflict_error>("/core/microcode_words")});
    c.push_back({"microcode_without_learning_rules", mutate([](json& j) { j["core"]["learning_rules"] = 0; }),
                 expect<conflict_error>("/core/microcode_words")});
    c.push_back({"zero_clock", mutate([](json& j) { j["timing"]["clock_mhz"] = 0; }),
                 out_of_range("/timing/clock_mhz", 0)});
    c.push_back({"negative_idle_cycles", mutate([](json& j) { j["timing"]["cycles_per_neuron_update_idle"] = -1; }),
                 out_of_range("/timing/cycles_per_neuron_update_idle", -1)});
    c.push_back({"negative_energy", mutate([](json& j) { j["energy"]["synaptic_op_pj"] = -1.0; }),
                 out_of_range("/energy/synaptic_op_pj", -1.0)});
    c.push_back({"energy_string", mutate([](json& j) { j["energy"]["hop_east_west_pj"] = "2 pJ"; }),
                 type_mismatch("/energy/hop_east_west_pj", "a number")});
    c.push_back({"chips_without_inter_chip", mutate([](json& j) { j.erase("inter_chip"); }),
                 missing_key("", "inter_chip")});
    c.push_back({"inter_chip_zero_cycles", mutate([](json& j) { j["inter_chip"]["cycles_per_hop"] = 0; }),
                 out_of_range("/inter_chip/cycles_per_hop", 0)});
    c.push_back({"inter_chip_negative_energy", mutate([](json& j) { j["inter_chip"]["hop_pj"] = -100; }),
                 out_of_range("/inter_chip/hop_pj", -100)});
    c.push_back({"sources_not_an_object", mutate([](json& j) { j["sources"] = json::array(); }),
                 type_mismatch("/sources", "an object mapping JSON pointers to citations")});
    c.push_back({"source_value_not_a_string", mutate([](json& j) { j["sources"]["/mesh/width"] = 2; }),
                 type_mismatch("/sources/~1mesh~1width", "a string")});
    c.push_back({"source_empty_citation", mutate([](json& j) { j["sources"]["/mesh/width"] = ""; }),
                 invalid_value("/sources/~1mesh~1width", "")});
    c.push_back({"source_points_at_a_string", mutate([](json& j) { j["sources"]["/name"] = "assumption: x"; }),
                 invalid_value("/sources/~1name", "/name")});
    c.push_back({"source_points_at_an_object", mutate([](json& j) { j["sources"]["/core"] = "assumption: x"; }),
                 invalid_value("/sources/~1core", "/core")});
    c.push_back({"source_points_nowhere",
                 mutate([](json& j) { j["sources"]["/core/synapses"] = "assumption: x"; }),
                 invalid_value("/sources/~1core~1synapses", "/core/synapses")});
    c.push_back({"source_for_absent_block", mutate([](json& j) {
                     j["chips"] = {{"width", 1}, {"height", 1}};
                     j.erase("inter_chip");
                     // The sources for /inter_chip/... now point nowhere.
                 }),
                 invalid_value("/sources/~1inter_chip~1cycles_per_hop", "/inter_chip/cycles_per_hop")});
    c.push_back({"source_not_a_pointer", mutate([](json& j) { j["sources"]["mesh/width"] = "assumption: x"; }),
                 invalid_value("/sources/mesh~1width", "mesh/width")});
    c.push_back({"source_bad_pointer_escape", mutate([](json& j) { j["sources"]["/core/~2"] = "assumption: x"; }),
                 invalid_value("/sources/~1core~1~02", "/core/~2")});
    return c;
}

// Test names and failure messages show the case by name.
void PrintTo(const chip_case& c, std::ostream* os) { *os << c.name; }

class bad_chip: public ::testing::TestWithParam<chip_case> {};

TEST_P(bad_chip, is_rejected_with_type_and_path) {
    const chip_case& c = GetParam();
    const std::string text = c.text();
    expect_throw([&] { (void)load_chip_text(text, "chip.json"); }, c.check);
}

INSTANTIATE_TEST_SUITE_P(chip_loader, bad_chip, ::testing::ValuesIn(chip_cases()),
                         [](const ::testing::TestParamInfo<chip_case>& p) { return p.param.name; });

TEST(chip_loader, bad_cases_are_distinct) {
    const auto cases = chip_cases();
    std::set<std::string> names;
    std::set<std::string> texts;
    for (const auto& c: cases) {
        EXPECT_TRUE(names.insert(c.name).second) << c.name;
        EXPECT_TRUE(texts.insert(c.text()).second) << c.name;
    }
    EXPECT_GE(cases.size(), 20u);
}

TEST(chip_loader, message_names_source_and_path) {
    json j = tiny_chip();
    j["core"]["max_delay"] = 64;
    try {
        (void)load_chip(j);
        FAIL() << "expected a range_error";
    }
    catch (const range_error& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind("chip.json: /core/max_delay: ", 0), 0u) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
}

} // namespace
