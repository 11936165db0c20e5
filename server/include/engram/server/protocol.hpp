// The wire protocol of `engram serve` (docs/protocol.md): line-delimited JSON
// control commands and binary event frames, as pure functions from bytes to
// messages and from messages to bytes. No sockets here: the server only moves
// bytes, and the fuzz target and tests call these functions directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace engram::server {

/// The first byte of every binary frame; a control line never starts with it.
inline constexpr std::uint8_t frame_magic = 0xEB;
inline constexpr std::uint8_t protocol_version = 1;
inline constexpr std::size_t frame_header_size = 16;
inline constexpr std::size_t event_record_size = 8;

enum class frame_type : std::uint8_t {
  inject = 1,  ///< client to server: spikes for input populations
  spikes = 2,  ///< server to client: output spikes of one step
};

/// One event of a frame: a neuron of a population, and a payload (the
/// amplitude of a Modulator event, 0..255; 0 for other populations).
struct event {
  std::uint16_t population = 0;  ///< index in the network's populations
  std::uint8_t payload = 0;
  std::uint32_t neuron = 0;  ///< index in the population
  friend bool operator==(const event&, const event&) = default;
};

/// A binary frame: events of one time step.
struct event_frame {
  frame_type type = frame_type::inject;
  std::uint64_t step = 0;
  std::vector<event> events;
  friend bool operator==(const event_frame&, const event_frame&) = default;
};

/// Caps on what one message may be.
struct limits {
  std::size_t max_line = 4096;          ///< bytes of a control line, without the newline
  std::size_t max_frame_events = 8192;  ///< events of one frame (64 KiB of payload)
  std::size_t max_json_depth = 4;       ///< nesting of arrays and objects in a control line
  std::size_t max_datagram = 65507;     ///< bytes of a UDP datagram
};

/// Every class of error a client can be told about (the "error" field of an
/// error reply, docs/protocol.md).
enum class error_code : std::uint8_t {
  bad_json,              ///< a control line that is not JSON
  not_an_object,         ///< JSON, but not an object with a "cmd" string
  too_deep,              ///< nesting deeper than limits::max_json_depth
  line_too_long,         ///< a control line longer than limits::max_line (skipped to its newline)
  unknown_command,       ///< "cmd" names no command
  bad_argument,          ///< a missing, unknown or out-of-range field
  bad_version,           ///< a frame of another protocol version (fatal: the connection closes)
  bad_frame,             ///< an unknown frame type or nonzero reserved byte (the frame is skipped)
  bad_frame_length,      ///< a length that is not a whole number of events (the frame is skipped)
  frame_too_large,       ///< more than limits::max_frame_events events (fatal)
  unknown_population,    ///< an event or command names no population
  neuron_out_of_range,   ///< an event's neuron is outside its population
  not_an_input,          ///< the population is not a SpikeSourceArray or Modulator
  queue_full,            ///< the server's event queue is full: the frame was dropped
  busy,                  ///< too many commands of this connection are waiting
  too_many_connections,  ///< the connection cap is reached (the connection closes)
  timeout,               ///< idle or incomplete for too long (the connection closes)
  no_checkpoint_file,    ///< `checkpoint` on a server started without --checkpoint
  shutting_down,         ///< the server is stopping
};

std::string_view to_string(error_code code) noexcept;
/// Whether the connection closes after this error (framing cannot be trusted).
bool is_fatal(error_code code) noexcept;

struct protocol_error {
  error_code code = error_code::bad_json;
  std::string message;
  friend bool operator==(const protocol_error&, const protocol_error&) = default;
};

enum class command_kind : std::uint8_t { run, pause, step, status, counters, reward, checkpoint, stop, subscribe };
std::string_view to_string(command_kind kind) noexcept;

/// A control command (one JSON line).
struct command {
  command_kind kind = command_kind::status;
  /// The request's "id" as JSON text (a number or a string), echoed in the
  /// reply; empty when absent.
  std::string id;
  std::optional<std::uint64_t> steps;  ///< run: N more steps; absent: run continuously
  std::string population;              ///< reward: the Modulator population
  std::uint8_t payload = 255;          ///< reward: round(amplitude x 255)
  std::optional<std::uint64_t> at;     ///< reward: the step (absent: the next step)
  std::vector<std::string> populations;  ///< subscribe: names (empty: every population)
  std::optional<std::uint16_t> udp_port;  ///< subscribe: stream by UDP to this port of the client's address
  friend bool operator==(const command&, const command&) = default;
};

/// Commands built field by field (the struct is an aggregate).
command make_command(command_kind kind);
command run_command(std::uint64_t steps);
command reward_command(std::string population, std::uint8_t payload = 255, std::optional<std::uint64_t> at = {});
command subscribe_command(std::vector<std::string> populations, std::optional<std::uint16_t> udp_port = {});

using message = std::variant<command, event_frame>;

/// Decoder state kept between calls on one byte stream.
struct stream_state {
  bool discarding_line = false;  ///< inside an over-long line: drop bytes up to its newline
};

/// What decode() found at the front of a buffer.
struct decode_result {
  enum class status : std::uint8_t { need_more, complete, error };
  status what = status::need_more;
  std::size_t consumed = 0;  ///< bytes to drop from the front (also with need_more)
  std::optional<message> msg;
  std::optional<protocol_error> error;
  std::string id;  ///< the id of a rejected command, when it could be read
};

/// Decodes the first message of `bytes` (a TCP stream: control lines and
/// frames in any mix). Pure: the result depends only on the arguments.
decode_result decode(std::span<const std::uint8_t> bytes, stream_state& state, const limits& caps);

/// Decodes one UDP datagram: exactly one inject frame.
std::variant<event_frame, protocol_error> decode_datagram(std::span<const std::uint8_t> bytes, const limits& caps);

/// Parses one control line (without its newline).
std::variant<command, protocol_error> parse_command(std::string_view line, const limits& caps,
                                                    std::string* id = nullptr);

/// Appends a frame's bytes.
void append_frame(std::vector<std::uint8_t>& out, frame_type type, std::uint64_t step, std::span<const event> events);
std::vector<std::uint8_t> encode_frame(const event_frame& frame);
/// A control line for `c` (with its newline).
std::string encode_command(const command& c);
/// An error reply line (with its newline).
std::string error_reply(const protocol_error& error, std::string_view id = {});

}  // namespace engram::server
