// The engram program end to end: exit codes, one-line errors, output.

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <engram/compiler/chip.hpp>

#include "../cli_runner.hpp"

namespace {

namespace fs = std::filesystem;

using result = engram::test::cli_result;

result run(const std::string& args) {
    return engram::test::run_cli(args);
}

using engram::test::example;
using engram::test::lines;
using engram::test::temp_dir;

nlohmann::json load_example(const std::string& name) {
    std::ifstream in(example(name));
    return nlohmann::json::parse(in);
}

} // namespace

TEST(cli, version_and_help) {
    const auto v = run("--version");
    EXPECT_EQ(v.code, 0);
    EXPECT_EQ(v.out, std::string("engram ") + "0.1.0\n");
    const auto h = run("--help");
    EXPECT_EQ(h.code, 0);
    EXPECT_NE(h.out.find("compile"), std::string::npos);
    EXPECT_NE(h.out.find("chips"), std::string::npos);
    for (const char* command: {"compile --help", "chips --help"}) {
        const auto r = run(command);
        EXPECT_EQ(r.code, 0) << command;
        EXPECT_NE(r.out.find("Usage: engram"), std::string::npos) << command;
    }
}

TEST(cli, no_arguments_is_a_usage_error) {
    const auto r = run("");
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("Usage"), std::string::npos);
}

TEST(cli, unknown_command_and_option) {
    const auto c = run("compille");
    EXPECT_EQ(c.code, 1);
    EXPECT_EQ(lines(c.err), 1u);
    const auto o = run("compile --chek " + example("single_neuron"));
    EXPECT_EQ(o.code, 1);
    EXPECT_EQ(lines(o.err), 1u);
    EXPECT_NE(o.err.find("did you mean --check"), std::string::npos) << o.err;
    const auto twice = run("compile --check --chip tiny --chip tiny " + example("single_neuron"));
    EXPECT_EQ(twice.code, 1);
    const auto missing = run("compile --check --chip");
    EXPECT_EQ(missing.code, 1);
}

TEST(cli, chips_lists_every_preset) {
    const auto r = run("chips");
    ASSERT_EQ(r.code, 0) << r.err;
    for (auto name: engram::compiler::chip_preset_names()) {
        EXPECT_NE(r.out.find(std::string(name)), std::string::npos) << name;
    }
    const auto detail = run("chips loihi-like");
    ASSERT_EQ(detail.code, 0);
    EXPECT_NE(detail.out.find("Davies"), std::string::npos) << "figures are shown with their source";
    const auto json = run("chips --json tiny");
    ASSERT_EQ(json.code, 0);
    EXPECT_EQ(json.out, std::string(*engram::compiler::chip_preset_text("tiny")));
    const auto typo = run("chips loihi_like");
    EXPECT_EQ(typo.code, 1);
    EXPECT_NE(typo.err.find("did you mean \"loihi-like\""), std::string::npos) << typo.err;
}

TEST(cli, compile_check_accepts_every_example) {
    std::size_t count = 0;
    for (const auto& entry: fs::directory_iterator(std::string(ENGRAM_SOURCE_DIR) + "/examples")) {
        const fs::path network = entry.path() / "network.json";
        if (!fs::exists(network)) {
            continue;
        }
        ++count;
        const auto r = run("compile --check " + network.string() + " --chip loihi-like");
        EXPECT_EQ(r.code, 0) << network << ": " << r.err;
        EXPECT_TRUE(r.err.empty()) << r.err;
        EXPECT_NE(r.out.find("is valid for chip \"loihi-like\""), std::string::npos) << r.out;
    }
    EXPECT_GE(count, 3u);
}

TEST(cli, compile_check_reports_counts_of_the_flagship) {
    const auto net = load_example("vogels_abbott_cuba");
    std::uint64_t neurons = 0;
    for (const auto& p: net["populations"]) {
        neurons += p["size"].get<std::uint64_t>();
    }
    const auto r = run("compile --check --chip loihi-like " + example("vogels_abbott_cuba"));
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string digits = std::to_string(neurons);
    const std::string with_comma = digits.substr(0, digits.size() - 3) + "," + digits.substr(digits.size() - 3);
    EXPECT_NE(r.out.find("(" + with_comma + " neurons"), std::string::npos) << r.out;
}

TEST(cli, compile_needs_an_output_or_check) {
    const auto r = run(example("single_neuron"));
    EXPECT_EQ(r.code, 1);
    const auto c = run("compile " + example("single_neuron"));
    EXPECT_EQ(c.code, 1);
    EXPECT_NE(c.err.find("-o IMAGE"), std::string::npos) << c.err;
    const auto both = run("compile --check -o x.engram " + example("single_neuron"));
    EXPECT_EQ(both.code, 1);
    EXPECT_EQ(lines(both.err), 1u);
}

TEST(cli, compile_writes_image_and_report_and_inspect_reads_them) {
    temp_dir dir;
    const auto image = dir.write("placeholder", "").parent_path() / "cuba.engram";
    const auto again = image.parent_path() / "cuba2.engram";
    const auto report = image.parent_path() / "report.json";
    const auto r = run("compile " + example("vogels_abbott_cuba") + " --chip loihi-like -o " + image.string() +
                       " --report " + report.string());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("mapped \"vogels_abbott_cuba\" onto chip \"loihi-like\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("input_axons"), std::string::npos);
    std::ifstream in(report);
    const auto j = nlohmann::json::parse(in);
    EXPECT_EQ(j["format"], "engram-mapping-report/1");
    EXPECT_EQ(j["neurons"], 4000);
    EXPECT_LE(j["placement"]["cost_pj_per_s"].get<double>(), j["placement"]["naive_cost_pj_per_s"].get<double>());
    // Same input, same bytes.
    ASSERT_EQ(run("compile " + example("vogels_abbott_cuba") + " -o " + again.string()).code, 0);
    std::ifstream a(image, std::ios::binary);
    std::ifstream b(again, std::ios::binary);
    const std::string bytes_a((std::istreambuf_iterator<char>(a)), std::istreambuf_iterator<char>());
    const std::string bytes_b((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
    EXPECT_GT(bytes_a.size(), 1000000u);
    EXPECT_EQ(bytes_a, bytes_b);
    // inspect reads it back.
    const auto i = run("inspect " + image.string());
    EXPECT_EQ(i.code, 0) << i.err;
    EXPECT_NE(i.out.find("exc"), std::string::npos);
    // No temporary file is left next to the outputs.
    for (const auto& entry: fs::directory_iterator(image.parent_path())) {
        EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
}

TEST(cli, compile_that_does_not_fit_writes_nothing) {
    temp_dir dir;
    const auto image = dir.write("placeholder", "").parent_path() / "tiny.engram";
    const auto r = run("compile " + example("vogels_abbott_cuba") + " --chip tiny -o " + image.string());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_FALSE(fs::exists(image));
}

TEST(cli, key_typo_gives_one_line_with_path_and_suggestion) {
    temp_dir dir;
    auto net = load_example("single_neuron");
    net["populations"][1]["sise"] = net["populations"][1]["size"];
    net["populations"][1].erase("size");
    const auto file = dir.write("typo.json", net.dump(2));
    const auto r = run("compile --check " + file.string());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_NE(r.err.find(file.string() + ": /populations/1/sise: unknown key \"sise\"; did you mean \"size\"?"),
              std::string::npos)
        << r.err;
}

TEST(cli, wrong_type_gives_one_line_with_path) {
    temp_dir dir;
    auto net = load_example("single_neuron");
    net["projections"][0]["weight"] = "heavy";
    const auto file = dir.write("type.json", net.dump(2));
    const auto r = run("compile --check " + file.string());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find("/projections/0/weight: expected a number"), std::string::npos) << r.err;
}

TEST(cli, truncated_file_gives_one_line_with_position) {
    temp_dir dir;
    std::ifstream in(example("single_neuron"));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.resize(text.size() / 2);
    const auto file = dir.write("truncated.json", text);
    const auto r = run("compile --check " + file.string());
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(lines(r.err), 1u) << r.err;
    std::size_t newlines = 0;
    for (char ch: text) {
        newlines += ch == '\n' ? 1 : 0;
    }
    EXPECT_NE(r.err.find(": line " + std::to_string(newlines + 1) + ", column "), std::string::npos) << r.err;
}

TEST(cli, missing_file_and_directory_are_user_errors) {
    temp_dir dir;
    const auto r = run("compile --check " + (fs::temp_directory_path() / "no_such_engram_file.json").string());
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.err.find("cannot open"), std::string::npos) << r.err;
    const auto d = run("compile --check " + fs::temp_directory_path().string());
    EXPECT_EQ(d.code, 1);
    const auto dev = run("compile --check /dev/null --chip /dev/zero");
    EXPECT_EQ(dev.code, 1);
    EXPECT_NE(dev.err.find("not a regular file"), std::string::npos) << dev.err;
}

TEST(cli, network_that_does_not_fit_names_the_resource) {
    const auto r = run("compile --check " + example("stdp_song2000") + " --chip truenorth-like");
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(lines(r.err), 1u);
    EXPECT_NE(r.err.find("/projections/0/plasticity"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no learning engine"), std::string::npos) << r.err;
}

TEST(cli, custom_chip_file_is_accepted_and_checked) {
    temp_dir dir;
    auto chip = nlohmann::json::parse(*engram::compiler::chip_preset_text("tiny"));
    chip["name"] = "my-chip";
    chip["core"]["neurons"] = 4096;
    const auto ok = dir.write("chip.json", chip.dump());
    const auto r = run("compile --check " + example("stdp_song2000") + " --chip " + ok.string());
    EXPECT_EQ(r.code, 0) << r.err;
    chip["core"]["max_delay"] = 64;
    const auto bad = dir.write("bad_chip.json", chip.dump());
    const auto b = run("compile --check " + example("stdp_song2000") + " --chip " + bad.string());
    EXPECT_EQ(b.code, 1);
    EXPECT_NE(b.err.find("/core/max_delay"), std::string::npos) << b.err;
}
