#include <engram/server/protocol.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

namespace engram::server {

namespace {

using nlohmann::json;

std::uint32_t read_u32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

std::uint64_t read_u64(const std::uint8_t* p) {
  return std::uint64_t{read_u32(p)} | std::uint64_t{read_u32(p + 4)} << 32;
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) {
    out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
  }
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int k = 0; k < 8; ++k) {
    out.push_back(static_cast<std::uint8_t>(v >> (8 * k)));
  }
}

protocol_error fail(error_code code, std::string message) {
  return {code, std::move(message)};
}

// The deepest nesting of arrays and objects outside strings (a pre-scan, so
// the recursive JSON parser never sees deep input).
std::size_t nesting(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// The fields a command may have besides "cmd" and "id".
std::vector<std::string_view> fields_of(command_kind kind) {
  switch (kind) {
    case command_kind::run:
      return {"steps"};
    case command_kind::reward:
      return {"population", "amplitude", "step"};
    case command_kind::subscribe:
      return {"populations", "udp_port"};
    default:
      return {};
  }
}

std::optional<command_kind> command_named(std::string_view name) {
  for (auto k : {command_kind::run, command_kind::pause, command_kind::step, command_kind::status,
                 command_kind::counters, command_kind::reward, command_kind::checkpoint, command_kind::stop,
                 command_kind::subscribe}) {
    if (to_string(k) == name) {
      return k;
    }
  }
  return std::nullopt;
}

std::optional<protocol_error> read_count(const json& v, std::string_view field, std::uint64_t min, std::uint64_t max,
                                         std::uint64_t& out) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    return fail(error_code::bad_argument,
                "\"" + std::string(field) + "\": expected a whole number, found " + v.dump().substr(0, 64));
  }
  const std::uint64_t n = v.get<std::uint64_t>();
  if (n < min || n > max) {
    return fail(error_code::bad_argument, "\"" + std::string(field) + "\": expected " + std::to_string(min) + ".." +
                                              std::to_string(max) + ", found " + std::to_string(n));
  }
  out = n;
  return std::nullopt;
}

// Frames: header checks that decide how many bytes the frame takes.
struct frame_head {
  std::size_t total = 0;  // header + payload bytes
  std::optional<protocol_error> error;
};

frame_head check_header(std::span<const std::uint8_t> b, const limits& caps) {
  frame_head h;
  if (b[1] != protocol_version) {
    h.error = fail(error_code::bad_version, "frame of protocol version " + std::to_string(b[1]) + ", expected " +
                                                std::to_string(protocol_version));
    return h;
  }
  const std::uint32_t length = read_u32(b.data() + 4);
  if ((std::uint64_t{length} + event_record_size - 1) / event_record_size > caps.max_frame_events) {
    h.error = fail(error_code::frame_too_large, "frame of " + std::to_string(length) + " payload bytes, at most " +
                                                    std::to_string(caps.max_frame_events * event_record_size));
    return h;
  }
  h.total = frame_header_size + length;
  return h;
}

// The frame whose header check_header accepted, all of it in `b`.
std::variant<event_frame, protocol_error> read_frame(std::span<const std::uint8_t> b) {
  const std::uint32_t length = read_u32(b.data() + 4);
  if (b[2] != static_cast<std::uint8_t>(frame_type::inject) && b[2] != static_cast<std::uint8_t>(frame_type::spikes)) {
    return fail(error_code::bad_frame, "unknown frame type " + std::to_string(b[2]));
  }
  if (b[3] != 0) {
    return fail(error_code::bad_frame, "header byte 3 (reserved) is " + std::to_string(b[3]) + ", expected 0");
  }
  if (length % event_record_size != 0) {
    return fail(error_code::bad_frame_length,
                "frame payload of " + std::to_string(length) + " bytes is not a whole number of 8-byte events");
  }
  event_frame f;
  f.type = static_cast<frame_type>(b[2]);
  f.step = read_u64(b.data() + 8);
  const std::size_t n = length / event_record_size;
  f.events.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const std::uint8_t* p = b.data() + frame_header_size + k * event_record_size;
    if (p[3] != 0) {
      return fail(error_code::bad_frame, "event " + std::to_string(k) + ": byte 3 (reserved) is " +
                                             std::to_string(p[3]) + ", expected 0");
    }
    f.events[k].population = static_cast<std::uint16_t>(p[0] | p[1] << 8);
    f.events[k].payload = p[2];
    f.events[k].neuron = read_u32(p + 4);
  }
  return f;
}

}  // namespace

std::string_view to_string(error_code code) noexcept {
  switch (code) {
    case error_code::bad_json: return "bad_json";
    case error_code::not_an_object: return "not_an_object";
    case error_code::too_deep: return "too_deep";
    case error_code::line_too_long: return "line_too_long";
    case error_code::unknown_command: return "unknown_command";
    case error_code::bad_argument: return "bad_argument";
    case error_code::bad_version: return "bad_version";
    case error_code::bad_frame: return "bad_frame";
    case error_code::bad_frame_length: return "bad_frame_length";
    case error_code::frame_too_large: return "frame_too_large";
    case error_code::unknown_population: return "unknown_population";
    case error_code::neuron_out_of_range: return "neuron_out_of_range";
    case error_code::not_an_input: return "not_an_input";
    case error_code::queue_full: return "queue_full";
    case error_code::busy: return "busy";
    case error_code::too_many_connections: return "too_many_connections";
    case error_code::timeout: return "timeout";
    case error_code::no_checkpoint_file: return "no_checkpoint_file";
    case error_code::shutting_down: return "shutting_down";
  }
  return "";
}

bool is_fatal(error_code code) noexcept {
  return code == error_code::bad_version || code == error_code::frame_too_large ||
         code == error_code::too_many_connections || code == error_code::timeout ||
         code == error_code::shutting_down;
}

std::string_view to_string(command_kind kind) noexcept {
  switch (kind) {
    case command_kind::run: return "run";
    case command_kind::pause: return "pause";
    case command_kind::step: return "step";
    case command_kind::status: return "status";
    case command_kind::counters: return "counters";
    case command_kind::reward: return "reward";
    case command_kind::checkpoint: return "checkpoint";
    case command_kind::stop: return "stop";
    case command_kind::subscribe: return "subscribe";
  }
  return "";
}

command make_command(command_kind kind) {
  command c;
  c.kind = kind;
  return c;
}

command run_command(std::uint64_t steps) {
  command c = make_command(command_kind::run);
  c.steps = steps;
  return c;
}

command reward_command(std::string population, std::uint8_t payload, std::optional<std::uint64_t> at) {
  command c = make_command(command_kind::reward);
  c.population = std::move(population);
  c.payload = payload;
  c.at = at;
  return c;
}

command subscribe_command(std::vector<std::string> populations, std::optional<std::uint16_t> udp_port) {
  command c = make_command(command_kind::subscribe);
  c.populations = std::move(populations);
  c.udp_port = udp_port;
  return c;
}

std::variant<command, protocol_error> parse_command(std::string_view line, const limits& caps, std::string* id_out) {
  if (line.size() > caps.max_line) {
    return fail(error_code::line_too_long, "control line of " + std::to_string(line.size()) + " bytes, at most " +
                                               std::to_string(caps.max_line));
  }
  if (nesting(line) > caps.max_json_depth) {
    return fail(error_code::too_deep, "JSON nested deeper than " + std::to_string(caps.max_json_depth));
  }
  const json j = json::parse(line, nullptr, false);
  if (j.is_discarded()) {
    return fail(error_code::bad_json, "a control line must be one JSON object");
  }
  if (!j.is_object()) {
    return fail(error_code::not_an_object, "expected a JSON object with a \"cmd\" field, found a " +
                                               std::string(j.type_name()));
  }
  command c;
  if (const auto it = j.find("id"); it != j.end()) {
    if (!(it->is_number_integer() || (it->is_string() && it->get_ref<const std::string&>().size() <= 64))) {
      return fail(error_code::bad_argument, "\"id\": expected an integer or a string of at most 64 bytes");
    }
    c.id = it->dump();
    if (id_out != nullptr) {
      *id_out = c.id;
    }
  }
  const auto cmd = j.find("cmd");
  if (cmd == j.end() || !cmd->is_string()) {
    return fail(error_code::not_an_object, "expected a \"cmd\" string field");
  }
  const std::string& name = cmd->get_ref<const std::string&>();
  const auto kind = command_named(name);
  if (!kind) {
    return fail(error_code::unknown_command,
                "\"cmd\": unknown command \"" + name.substr(0, 64) +
                    "\" (expected run, pause, step, status, counters, reward, checkpoint, stop, subscribe)");
  }
  c.kind = *kind;
  const auto allowed = fields_of(c.kind);
  for (const auto& [key, value] : j.items()) {
    if (key != "cmd" && key != "id" && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return fail(error_code::bad_argument,
                  "\"" + key.substr(0, 64) + "\": not a field of \"" + std::string(to_string(c.kind)) + "\"");
    }
  }
  std::uint64_t n = 0;
  switch (c.kind) {
    case command_kind::run:
      if (const auto it = j.find("steps"); it != j.end()) {
        if (auto e = read_count(*it, "steps", 1, std::uint64_t{1} << 40, n)) {
          return *e;
        }
        c.steps = n;
      }
      break;
    case command_kind::reward: {
      const auto pop = j.find("population");
      if (pop == j.end() || !pop->is_string() || pop->get_ref<const std::string&>().size() > 256) {
        return fail(error_code::bad_argument, "\"population\": expected the name of a Modulator population");
      }
      c.population = pop->get<std::string>();
      if (const auto it = j.find("amplitude"); it != j.end()) {
        if (!it->is_number() || !(it->get<double>() >= 0.0 && it->get<double>() <= 1.0)) {
          return fail(error_code::bad_argument, "\"amplitude\": expected a number in [0, 1]");
        }
        c.payload = static_cast<std::uint8_t>(std::lround(it->get<double>() * 255.0));
      }
      if (const auto it = j.find("step"); it != j.end()) {
        if (auto e = read_count(*it, "step", 0, std::uint64_t{1} << 40, n)) {
          return *e;
        }
        c.at = n;
      }
      break;
    }
    case command_kind::subscribe:
      if (const auto it = j.find("populations"); it != j.end()) {
        if (!it->is_array() || it->size() > 256) {
          return fail(error_code::bad_argument, "\"populations\": expected an array of at most 256 names");
        }
        for (const json& p : *it) {
          if (!p.is_string() || p.get_ref<const std::string&>().size() > 256) {
            return fail(error_code::bad_argument, "\"populations\": expected population names (strings)");
          }
          c.populations.push_back(p.get<std::string>());
        }
      }
      if (const auto it = j.find("udp_port"); it != j.end()) {
        if (auto e = read_count(*it, "udp_port", 1, 65535, n)) {
          return *e;
        }
        c.udp_port = static_cast<std::uint16_t>(n);
      }
      break;
    default:
      break;
  }
  return c;
}

decode_result decode(std::span<const std::uint8_t> bytes, stream_state& state, const limits& caps) {
  decode_result r;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::span<const std::uint8_t> rest = bytes.subspan(at);
    if (state.discarding_line) {
      const auto nl = std::find(rest.begin(), rest.end(), std::uint8_t{'\n'});
      if (nl == rest.end()) {
        r.consumed = bytes.size();
        return r;
      }
      state.discarding_line = false;
      at += static_cast<std::size_t>(nl - rest.begin()) + 1;
      continue;
    }
    if (rest[0] == frame_magic) {
      if (rest.size() >= 2 && rest[1] != protocol_version) {
        r.what = decode_result::status::error;
        r.error = check_header(rest, caps).error;
        r.consumed = bytes.size();  // fatal: the stream cannot be trusted any more
        return r;
      }
      if (rest.size() < frame_header_size) {
        r.consumed = at;
        return r;
      }
      const frame_head head = check_header(rest, caps);
      if (head.error) {
        r.what = decode_result::status::error;
        r.error = head.error;
        r.consumed = bytes.size();
        return r;
      }
      if (rest.size() < head.total) {
        r.consumed = at;
        return r;
      }
      r.consumed = at + head.total;
      auto f = read_frame(rest.first(head.total));
      if (auto* e = std::get_if<protocol_error>(&f)) {
        r.what = decode_result::status::error;
        r.error = std::move(*e);
      } else {
        r.what = decode_result::status::complete;
        r.msg = std::move(std::get<event_frame>(f));
      }
      return r;
    }
    const std::size_t window = std::min(rest.size(), caps.max_line + 1);
    const auto nl = std::find(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(window), std::uint8_t{'\n'});
    if (nl == rest.begin() + static_cast<std::ptrdiff_t>(window)) {
      if (rest.size() > caps.max_line) {
        r.what = decode_result::status::error;
        r.error = fail(error_code::line_too_long, "control line longer than " + std::to_string(caps.max_line) +
                                                      " bytes (skipped to its newline)");
        const auto end = std::find(rest.begin() + static_cast<std::ptrdiff_t>(window), rest.end(), std::uint8_t{'\n'});
        if (end != rest.end()) {
          r.consumed = at + static_cast<std::size_t>(end - rest.begin()) + 1;
        } else {
          state.discarding_line = true;  // drop the rest of the line as it comes
          r.consumed = bytes.size();
        }
        return r;
      }
      r.consumed = at;
      return r;
    }
    std::size_t length = static_cast<std::size_t>(nl - rest.begin());
    const std::size_t next = at + length + 1;
    if (length > 0 && rest[length - 1] == '\r') {
      --length;
    }
    const std::string_view line(reinterpret_cast<const char*>(rest.data()), length);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      at = next;  // blank lines are ignored
      continue;
    }
    r.consumed = next;
    auto c = parse_command(line, caps, &r.id);
    if (auto* e = std::get_if<protocol_error>(&c)) {
      r.what = decode_result::status::error;
      r.error = std::move(*e);
    } else {
      r.what = decode_result::status::complete;
      r.msg = std::move(std::get<command>(c));
    }
    return r;
  }
  r.consumed = bytes.size();
  return r;
}

std::variant<event_frame, protocol_error> decode_datagram(std::span<const std::uint8_t> bytes, const limits& caps) {
  if (bytes.size() > caps.max_datagram) {
    return fail(error_code::frame_too_large, "datagram of " + std::to_string(bytes.size()) + " bytes");
  }
  if (bytes.size() < frame_header_size || bytes[0] != frame_magic) {
    return fail(error_code::bad_frame, "a datagram must be one frame starting with byte 0xEB (" +
                                           std::to_string(bytes.size()) + " bytes)");
  }
  const frame_head head = check_header(bytes, caps);
  if (head.error) {
    return *head.error;
  }
  if (head.total != bytes.size()) {
    return fail(error_code::bad_frame_length, "datagram of " + std::to_string(bytes.size()) +
                                                  " bytes holds a frame of " + std::to_string(head.total));
  }
  return read_frame(bytes);
}

void append_frame(std::vector<std::uint8_t>& out, frame_type type, std::uint64_t step,
                  std::span<const event> events) {
  out.reserve(out.size() + frame_header_size + events.size() * event_record_size);
  out.push_back(frame_magic);
  out.push_back(protocol_version);
  out.push_back(static_cast<std::uint8_t>(type));
  out.push_back(0);
  put_u32(out, static_cast<std::uint32_t>(events.size() * event_record_size));
  put_u64(out, step);
  for (const event& e : events) {
    put_u16(out, e.population);
    out.push_back(e.payload);
    out.push_back(0);
    put_u32(out, e.neuron);
  }
}

std::vector<std::uint8_t> encode_frame(const event_frame& frame) {
  std::vector<std::uint8_t> out;
  append_frame(out, frame.type, frame.step, frame.events);
  return out;
}

std::string encode_command(const command& c) {
  json j;
  j["cmd"] = std::string(to_string(c.kind));
  if (!c.id.empty()) {
    j["id"] = json::parse(c.id, nullptr, false);
  }
  switch (c.kind) {
    case command_kind::run:
      if (c.steps) {
        j["steps"] = *c.steps;
      }
      break;
    case command_kind::reward:
      j["population"] = c.population;
      j["amplitude"] = c.payload / 255.0;
      if (c.at) {
        j["step"] = *c.at;
      }
      break;
    case command_kind::subscribe:
      if (!c.populations.empty()) {
        j["populations"] = c.populations;
      }
      if (c.udp_port) {
        j["udp_port"] = *c.udp_port;
      }
      break;
    default:
      break;
  }
  return j.dump() + "\n";
}

std::string error_reply(const protocol_error& error, std::string_view id) {
  json j;
  j["ok"] = false;
  j["error"] = std::string(to_string(error.code));
  j["message"] = error.message;
  if (!id.empty()) {
    j["id"] = json::parse(id, nullptr, false);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace engram::server
