#pragma once

// Shared inputs and helpers for the front-end tests: a small valid network
// that uses every population model, every connector, every rule kind and
// recording, the tiny chip preset as JSON, and a checker that asserts an
// error's exact type and the JSON pointer it names.

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <system_error>
#include <typeinfo>
#include <utility>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <engram/common/error.hpp>
#include <engram/compiler/chip.hpp>
#include <engram/compiler/network_loader.hpp>

namespace engram::test {

using nlohmann::json;

// Indices into valid_network(), so that cases read as what they break.
namespace net_index {
inline constexpr int exc = 0;     // IF_curr_exp, 10 neurons, params, initial v uniform
inline constexpr int inh = 1;     // IF_curr_exp, 5 neurons, PyNN defaults, initial v list
inline constexpr int stim = 2;    // SpikeSourceArray, 3 neurons, one list per neuron
inline constexpr int noise = 3;   // SpikeSourcePoisson, 5 neurons
inline constexpr int reward = 4;  // Modulator
inline constexpr int cue = 5;     // SpikeSourceArray, 2 neurons, one shared list

inline constexpr int stdp = 0;    // pair_stdp, w in [0, 2]
inline constexpr int triplet = 1; // triplet_stdp, defaults
inline constexpr int rstdp = 2;   // three_factor, modulator "reward", w in [0, 2]
inline constexpr int sop = 3;     // sum_of_products, modulator "reward", epoch 2 ms
inline constexpr int gdhl = 4;    // gdhl

inline constexpr int stim_exc = 0;  // AllToAll, rule stdp
inline constexpr int exc_exc = 1;   // FixedProbability, no self connections, rule rstdp
inline constexpr int exc_inh = 2;   // FixedNumberPre
inline constexpr int inh_exc = 3;   // FromList, inhibitory
inline constexpr int noise_inh = 4; // OneToOne, list of weights, rule triplet
inline constexpr int cue_inh = 5;   // AllToAll, rule sop
inline constexpr int cue_exc = 6;   // AllToAll, rule gdhl
} // namespace net_index

// dt = 1 ms, so that delays and epochs are whole numbers of steps.
inline json valid_network() {
    return json::parse(R"({
  "format": "engram-network/1",
  "name": "fixture",
  "description": "every model, connector and rule kind",
  "dt": 1.0,
  "seed": 42,
  "populations": [
    {"name": "exc", "size": 10, "model": "IF_curr_exp",
     "params": {"tau_m": 20.0, "tau_syn_E": 5.0, "tau_syn_I": 10.0, "v_rest": -65.0, "v_reset": -65.0,
                "v_thresh": -50.0, "tau_refrac": 2.0, "i_offset": 0.1, "cm": 0.5},
     "initial": {"v": {"distribution": "uniform", "low": -65.0, "high": -55.0}}},
    {"name": "inh", "size": 5, "model": "IF_curr_exp",
     "initial": {"v": [-65.0, -64.0, -63.0, -62.0, -61.0]}},
    {"name": "stim", "size": 3, "model": "SpikeSourceArray",
     "params": {"spike_times": [[1.0, 2.0], [3.0], []]}},
    {"name": "noise", "size": 5, "model": "SpikeSourcePoisson",
     "params": {"rate": 20.0, "start": 5.0, "duration": 100.0}},
    {"name": "reward", "size": 1, "model": "Modulator",
     "params": {"times": [10.0, 20.0], "amplitudes": [0.5, 1.0]}},
    {"name": "cue", "size": 2, "model": "SpikeSourceArray",
     "params": {"spike_times": [5.0, 15.0]}}
  ],
  "plasticity": [
    {"name": "stdp", "rule": "pair_stdp",
     "params": {"tau_plus": 16.8, "tau_minus": 33.7, "a_plus": 0.01, "a_minus": 0.012, "w_min": 0.0,
                "w_max": 2.0, "weight_dependence": "multiplicative"}},
    {"name": "triplet", "rule": "triplet_stdp"},
    {"name": "rstdp", "rule": "three_factor", "modulator": "reward",
     "params": {"tau_eligibility": 500.0, "learning_rate": 0.02, "w_max": 2.0}},
    {"name": "sop", "rule": "sum_of_products", "modulator": "reward", "epoch": 2.0,
     "params": {"dw": "2^-2*x1*y0 - 2^-2*y1*x0", "dt": "2^-4*r1*t", "tau_x1": 10.0}},
    {"name": "gdhl", "rule": "gdhl", "params": {"eta_sp": 0.5, "sigma_nn": -0.25}}
  ],
  "projections": [
    {"name": "stim_exc", "pre": "stim", "post": "exc", "connector": {"type": "AllToAll"},
     "weight": 0.5, "delay": 1.0, "plasticity": "stdp"},
    {"name": "exc_exc", "pre": "exc", "post": "exc",
     "connector": {"type": "FixedProbability", "p": 0.1, "allow_self_connections": false},
     "weight": {"distribution": "normal_clipped", "mean": 0.5, "sd": 0.1, "low": 0.0, "high": 1.0},
     "delay": {"distribution": "uniform", "low": 1.0, "high": 5.0}, "plasticity": "rstdp"},
    {"name": "exc_inh", "pre": "exc", "post": "inh", "connector": {"type": "FixedNumberPre", "n": 3},
     "weight": 0.2},
    {"name": "inh_exc", "pre": "inh", "post": "exc", "receptor": "inhibitory",
     "connector": {"type": "FromList", "connections": [[0, 0], [1, 2, 0.3], [4, 9, 0.4, 2.0]]},
     "weight": 0.1, "delay": 1.0},
    {"name": "noise_inh", "pre": "noise", "post": "inh", "connector": {"type": "OneToOne"},
     "weight": [0.1, 0.2, 0.3, 0.4, 0.5], "plasticity": "triplet"},
    {"name": "cue_inh", "pre": "cue", "post": "inh", "connector": {"type": "AllToAll"}, "weight": 0.3,
     "delay": 3.0, "plasticity": "sop"},
    {"name": "cue_exc", "pre": "cue", "post": "exc", "connector": {"type": "AllToAll"}, "weight": 0.3,
     "plasticity": "gdhl"}
  ],
  "recording": [
    {"population": "exc", "variables": ["spikes", "v"], "neurons": [0, 1], "interval": 2.0},
    {"population": "stim", "variables": ["spikes"]},
    {"population": "inh", "variables": ["i_exc", "i_inh"], "neurons": "all"}
  ]
})");
}

inline compiler::network load(const json& j, const compiler::network_load_options& options = {}) {
    return compiler::load_network_text(j.dump(), "net.json", options);
}

inline json tiny_chip() {
    const auto text = compiler::chip_preset_text("tiny");
    if (!text) {
        throw std::logic_error("the tiny chip preset is missing");
    }
    return json::parse(*text);
}

inline compiler::chip_spec load_chip(const json& j) {
    return compiler::load_chip_text(j.dump(), "chip.json");
}

// Asserts that the exception in `thrown` is exactly of type E (not merely a
// subclass or a base), names `path`, and passes the extra checks.
using checker = std::function<void(const std::exception_ptr&)>;

template <class E>
checker expect(std::string path, std::function<void(const E&)> extra = {}) {
    return [path = std::move(path), extra = std::move(extra)](const std::exception_ptr& thrown) {
        try {
            std::rethrow_exception(thrown);
        }
        catch (const E& e) {
            EXPECT_EQ(typeid(e), typeid(E)) << "thrown: " << typeid(e).name() << ": " << e.what();
            EXPECT_EQ(e.path(), path) << e.what();
            if (extra) {
                extra(e);
            }
        }
        catch (const std::exception& e) {
            ADD_FAILURE() << "expected " << typeid(E).name() << ", got " << typeid(e).name() << ": " << e.what();
        }
    };
}

// Runs f, which must throw; hands what it threw to check.
template <class F>
void expect_throw(F&& f, const checker& check) {
    try {
        std::forward<F>(f)();
    }
    catch (...) {
        check(std::current_exception());
        return;
    }
    ADD_FAILURE() << "expected an error, nothing was thrown";
}

// A directory of its own under the test temp directory, removed afterwards.
class temp_dir {
public:
    explicit temp_dir(const std::string& name):
        path_(std::filesystem::path(::testing::TempDir()) /
              ("engram_" + name + "_" + std::to_string(static_cast<long>(::getpid())))) {
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    std::filesystem::path write(const std::string& name, const std::string& text) const {
        const auto file = path_ / name;
        std::ofstream out(file, std::ios::binary);
        out << text;
        return file;
    }

private:
    std::filesystem::path path_;
};

} // namespace engram::test
