// A small blocking client for `engram serve` (docs/protocol.md): control
// requests with their replies, inject frames, and the streamed spike frames
// that arrive in between. Used by `engram client`, the tests and the benchmark.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include <engram/server/protocol.hpp>

namespace engram::server {

class client {
 public:
  /// Connects over TCP; throws user_error when it cannot.
  client(const std::string& host, std::uint16_t port);
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// Sends `c` with a fresh id and waits for its reply (an "ok" or an error
  /// object); spike frames that arrive meanwhile are kept for frames().
  nlohmann::json request(command c);
  /// Sends inject frames for `events` at `step` (split at the frame cap).
  void inject(std::uint64_t step, std::span<const event> events);
  /// Sends raw bytes (tests).
  void send_bytes(std::span<const std::uint8_t> bytes);
  /// The next thing the server sent: a reply or error object, or a frame;
  /// nullopt when the server closed the connection.
  std::optional<std::variant<nlohmann::json, event_frame>> next();
  /// Spike frames received (by request() or next()) and not yet taken.
  std::deque<event_frame>& frames() noexcept { return frames_; }
  /// Replies without an id, or to other requests, received by request().
  std::deque<nlohmann::json>& notices() noexcept { return notices_; }

  /// The population index of `name` (from a status request, cached).
  std::uint16_t population(const std::string& name);
  double dt_ms();

 private:
  void fill();
  int fd_ = -1;
  std::vector<std::uint8_t> in_;
  std::deque<event_frame> frames_;
  std::deque<nlohmann::json> notices_;
  std::uint64_t next_id_ = 1;
  std::optional<nlohmann::json> status_;
  limits caps_;
};

/// Reads a spike file (`neuron,time_ms` per line, `#` comments: the format
/// of a SpikeSourceArray's spike_times_file) as (step, neuron) pairs with
/// step = round(time / dt), sorted by step then neuron. Throws file_error.
std::vector<std::pair<std::uint64_t, std::uint32_t>> read_spike_file(const std::string& file, double dt_ms);

}  // namespace engram::server
