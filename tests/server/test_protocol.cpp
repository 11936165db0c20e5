// The wire protocol as pure functions (docs/protocol.md): round trips and
// every class of error, without sockets.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <engram/server/protocol.hpp>

namespace engram::server {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

decode_result decode_all(const std::vector<std::uint8_t>& b, stream_state& state, limits caps = {}) {
  return decode(b, state, caps);
}

protocol_error error_of(std::string_view line, limits caps = {}) {
  auto r = parse_command(line, caps);
  EXPECT_TRUE(std::holds_alternative<protocol_error>(r)) << line;
  return std::holds_alternative<protocol_error>(r) ? std::get<protocol_error>(r) : protocol_error{};
}

TEST(protocol, frame_round_trip_with_exact_bytes) {
  const event_frame f{frame_type::inject, 0x0102030405060708ull, {{3, 200, 0x0A0B0C0D}, {0, 0, 1}}};
  const std::vector<std::uint8_t> b = encode_frame(f);
  // Header: magic, version, type, reserved, length (LE), step (LE); then 8 bytes per event.
  const std::vector<std::uint8_t> expected = {0xEB, 1, 1, 0, 16, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1,
                                              3, 0, 200, 0, 0x0D, 0x0C, 0x0B, 0x0A, 0, 0, 0, 0, 1, 0, 0, 0};
  EXPECT_EQ(b, expected);
  stream_state state;
  const decode_result r = decode_all(b, state);
  ASSERT_EQ(r.what, decode_result::status::complete);
  EXPECT_EQ(r.consumed, b.size());
  EXPECT_EQ(std::get<event_frame>(*r.msg), f);
  const auto d = decode_datagram(b, limits{});
  ASSERT_TRUE(std::holds_alternative<event_frame>(d));
  EXPECT_EQ(std::get<event_frame>(d), f);
}

TEST(protocol, command_round_trip) {
  std::vector<command> all;
  all.push_back(run_command(100));
  all.back().id = "7";
  all.push_back(make_command(command_kind::run));
  all.back().id = "\"a\"";
  all.push_back(make_command(command_kind::pause));
  all.push_back(make_command(command_kind::step));
  all.back().id = "1";
  all.push_back(make_command(command_kind::status));
  all.push_back(make_command(command_kind::counters));
  all.push_back(reward_command("dopamine", 77, 12));
  all.push_back(make_command(command_kind::checkpoint));
  all.push_back(make_command(command_kind::stop));
  all.push_back(subscribe_command({"a", "b"}, 5000));
  for (const command& c : all) {
    const std::string line = encode_command(c);
    ASSERT_EQ(line.back(), '\n');
    stream_state state;
    const decode_result r = decode_all(bytes_of(line), state);
    ASSERT_EQ(r.what, decode_result::status::complete) << line;
    EXPECT_EQ(std::get<command>(*r.msg), c) << line;
  }
}

TEST(protocol, stream_of_lines_and_frames_decodes_in_order_byte_by_byte) {
  std::vector<std::uint8_t> stream = bytes_of("{\"cmd\":\"status\"}\r\n\n  \n");
  append_frame(stream, frame_type::inject, 5, std::vector<event>{{1, 0, 2}});
  const std::string run = "{\"cmd\":\"run\",\"steps\":3}\n";
  stream.insert(stream.end(), run.begin(), run.end());
  // Fed one byte at a time, as a slow client would send it.
  std::vector<std::uint8_t> buffer;
  stream_state state;
  std::vector<message> got;
  for (const std::uint8_t b : stream) {
    buffer.push_back(b);
    for (;;) {
      const decode_result r = decode(buffer, state, limits{});
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      ASSERT_NE(r.what, decode_result::status::error);
      if (r.what == decode_result::status::need_more) {
        break;
      }
      got.push_back(*r.msg);
    }
  }
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(std::get<command>(got[0]).kind, command_kind::status);
  EXPECT_EQ(std::get<event_frame>(got[1]).step, 5u);
  EXPECT_EQ(std::get<command>(got[2]).steps, std::optional<std::uint64_t>(3));
  EXPECT_TRUE(buffer.empty());
}

TEST(protocol, control_line_errors_name_their_class) {
  EXPECT_EQ(error_of("{\"cmd\": ").code, error_code::bad_json);
  EXPECT_EQ(error_of("[1,2]").code, error_code::not_an_object);
  EXPECT_EQ(error_of("{\"steps\": 3}").code, error_code::not_an_object);
  EXPECT_EQ(error_of("{\"cmd\": 3}").code, error_code::not_an_object);
  EXPECT_EQ(error_of("{\"cmd\":\"x\",\"a\":[[[[[1]]]]]}").code, error_code::too_deep);
  EXPECT_EQ(error_of("{\"cmd\":\"fly\"}").code, error_code::unknown_command);
  EXPECT_EQ(error_of("{\"cmd\":\"run\",\"steps\":0}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"run\",\"steps\":-2}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"run\",\"steps\":1.5}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"run\",\"speed\":1}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"pause\",\"steps\":1}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"reward\"}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"reward\",\"population\":\"r\",\"amplitude\":1.5}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"subscribe\",\"populations\":\"a\"}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"subscribe\",\"udp_port\":70000}").code, error_code::bad_argument);
  EXPECT_EQ(error_of("{\"cmd\":\"status\",\"id\":[1]}").code, error_code::bad_argument);
  limits small;
  small.max_line = 10;
  EXPECT_EQ(error_of("{\"cmd\":\"status\"}", small).code, error_code::line_too_long);
  // The id of a rejected command is kept for the error reply.
  std::string id;
  const auto r = parse_command("{\"cmd\":\"fly\",\"id\":42}", limits{}, &id);
  ASSERT_TRUE(std::holds_alternative<protocol_error>(r));
  EXPECT_EQ(id, "42");
  const std::string reply = error_reply(std::get<protocol_error>(r), id);
  EXPECT_NE(reply.find("\"error\":\"unknown_command\""), std::string::npos) << reply;
  EXPECT_NE(reply.find("\"id\":42"), std::string::npos) << reply;
}

TEST(protocol, long_line_is_skipped_to_its_newline_and_decoding_resumes) {
  limits caps;
  caps.max_line = 16;
  stream_state state;
  std::vector<std::uint8_t> b = bytes_of(std::string(40, 'x'));
  decode_result r = decode(b, state, caps);
  ASSERT_EQ(r.what, decode_result::status::error);
  EXPECT_EQ(r.error->code, error_code::line_too_long);
  EXPECT_FALSE(is_fatal(r.error->code));
  EXPECT_EQ(r.consumed, b.size());
  EXPECT_TRUE(state.discarding_line);
  b = bytes_of("yyy\n{\"cmd\":\"stop\"}\n");
  r = decode(b, state, caps);
  ASSERT_EQ(r.what, decode_result::status::complete);
  EXPECT_EQ(std::get<command>(*r.msg).kind, command_kind::stop);
  EXPECT_EQ(r.consumed, b.size());
}

TEST(protocol, long_line_followed_by_a_command_in_one_buffer_keeps_the_command) {
  limits caps;
  caps.max_line = 16;
  stream_state state;
  const std::vector<std::uint8_t> b = bytes_of(std::string(40, 'x') + "\n{\"cmd\":\"pause\"}\n");
  decode_result r = decode(b, state, caps);
  ASSERT_EQ(r.what, decode_result::status::error);
  EXPECT_EQ(r.error->code, error_code::line_too_long);
  EXPECT_EQ(r.consumed, 41u);
  EXPECT_FALSE(state.discarding_line);
  r = decode(std::span<const std::uint8_t>(b).subspan(41), state, caps);
  ASSERT_EQ(r.what, decode_result::status::complete);
  EXPECT_EQ(std::get<command>(*r.msg).kind, command_kind::pause);
}

TEST(protocol, frame_errors_name_their_class_and_fatality) {
  const auto frame_error = [](std::vector<std::uint8_t> b, limits caps = {}) {
    stream_state state;
    const decode_result r = decode(b, state, caps);
    EXPECT_EQ(r.what, decode_result::status::error);
    return r;
  };
  std::vector<std::uint8_t> good;
  append_frame(good, frame_type::inject, 1, std::vector<event>{{0, 0, 0}});

  auto b = good;
  b[1] = 2;  // version
  decode_result r = frame_error(b);
  EXPECT_EQ(r.error->code, error_code::bad_version);
  EXPECT_TRUE(is_fatal(r.error->code));

  b = good;
  b[2] = 9;  // type
  r = frame_error(b);
  EXPECT_EQ(r.error->code, error_code::bad_frame);
  EXPECT_EQ(r.consumed, good.size());  // skipped: the stream goes on
  EXPECT_FALSE(is_fatal(r.error->code));

  b = good;
  b[3] = 1;  // reserved header byte
  EXPECT_EQ(frame_error(b).error->code, error_code::bad_frame);
  b = good;
  b[frame_header_size + 3] = 1;  // reserved event byte
  EXPECT_EQ(frame_error(b).error->code, error_code::bad_frame);

  b = good;
  b[4] = 7;  // 7 payload bytes: not whole events
  b.resize(frame_header_size + 7);
  r = frame_error(b);
  EXPECT_EQ(r.error->code, error_code::bad_frame_length);
  EXPECT_EQ(r.consumed, b.size());

  limits caps;
  caps.max_frame_events = 4;
  b = good;
  b[4] = 40;  // 5 events
  r = frame_error(b, caps);
  EXPECT_EQ(r.error->code, error_code::frame_too_large);
  EXPECT_TRUE(is_fatal(r.error->code));

  // A frame cut short is not an error: more bytes are needed.
  stream_state state;
  const std::vector<std::uint8_t> cut(good.begin(), good.end() - 3);
  r = decode(cut, state, limits{});
  EXPECT_EQ(r.what, decode_result::status::need_more);
  EXPECT_EQ(r.consumed, 0u);
}

TEST(protocol, datagram_errors) {
  std::vector<std::uint8_t> good;
  append_frame(good, frame_type::inject, 1, std::vector<event>{{0, 0, 0}});
  auto extra = good;
  extra.push_back(0);
  EXPECT_EQ(std::get<protocol_error>(decode_datagram(extra, limits{})).code, error_code::bad_frame_length);
  EXPECT_EQ(std::get<protocol_error>(decode_datagram(bytes_of("{\"cmd\":\"stop\"}"), limits{})).code,
            error_code::bad_frame);
  const std::vector<std::uint8_t> cut(good.begin(), good.begin() + 8);
  EXPECT_EQ(std::get<protocol_error>(decode_datagram(cut, limits{})).code, error_code::bad_frame);
}

TEST(protocol, random_bytes_never_crash_and_always_make_progress) {
  std::mt19937 rng(5);
  limits caps;
  caps.max_line = 64;
  caps.max_frame_events = 16;
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::uint8_t> b(1 + rng() % 200);
    for (auto& x : b) {
      x = static_cast<std::uint8_t>(rng() % 4 == 0 ? frame_magic : rng() % 256);
    }
    if (rng() % 3 == 0) {
      b[1 % b.size()] = protocol_version;
    }
    stream_state state;
    std::size_t at = 0;
    int guard = 0;
    while (at < b.size() && guard++ < 1000) {
      const decode_result r = decode(std::span<const std::uint8_t>(b).subspan(at), state, caps);
      at += r.consumed;
      if (r.what == decode_result::status::need_more || (r.error && is_fatal(r.error->code))) {
        break;
      }
      ASSERT_GT(r.consumed, 0u);
    }
    EXPECT_LE(at, b.size());
  }
}

}  // namespace
}  // namespace engram::server
