// engram serve on loopback: the closed loop equals the offline run; stop
// writes the final checkpoint; the connection cap, the message deadline and
// UDP injection.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "server_fixtures.hpp"

namespace engram::test {
namespace {

using namespace engram::server;

TEST(server, closed_loop_equals_offline_run) {
  running_server s(compile_network_json(closed_loop_network()));
  client c("127.0.0.1", s.port());
  const loop_record rec = closed_loop(c, 1, 15);
  ASSERT_GT(rec.motor.size(), 5u);
  ASSERT_GT(rec.reward.size(), 2u);
  auto live = rec.motor;
  std::sort(live.begin(), live.end());
  EXPECT_EQ(live, offline_motor(rec, 15 * 20));
  const auto counters = c.request(make_command(command_kind::counters));
  EXPECT_EQ(counters["events_late"], 0) << counters.dump();
  EXPECT_EQ(counters["events_dropped"], 0);
  EXPECT_EQ(counters["frames_dropped"], 0);
  // The rewards answering the last chunk wait for steps not run yet.
  EXPECT_EQ(counters["events_received"].get<std::uint64_t>(),
            counters["events_injected"].get<std::uint64_t>() + counters["events_queued"].get<std::uint64_t>());
}

TEST(server, late_events_are_applied_at_the_next_step_and_counted) {
  running_server s(compile_network_json(closed_loop_network()));
  client c("127.0.0.1", s.port());
  EXPECT_EQ(c.request(subscribe_command({"sensor"}))["ok"], true);
  EXPECT_EQ(c.request(run_command(10))["step"], 10);
  const std::vector<event> e{{c.population("sensor"), 0, 3}};
  c.inject(4, e);  // step 4 has passed
  EXPECT_EQ(c.request(make_command(command_kind::step))["step"], 11);
  ASSERT_EQ(c.frames().size(), 1u);
  EXPECT_EQ(c.frames().front().step, 10u);
  EXPECT_EQ(c.frames().front().events, e);
  EXPECT_EQ(c.request(make_command(command_kind::counters))["events_late"], 1);
}

TEST(server, stop_writes_the_final_checkpoint_and_run_returns) {
  const auto file = std::filesystem::temp_directory_path() / ("engram_serve_ck_" + std::to_string(::getpid()));
  engine_options eo;
  eo.checkpoint_file = file;
  const isa::chip_image image = compile_network_json(closed_loop_network());
  server_counters counters;
  engine eng(image, {}, eo, counters);
  engram::server::server srv(eng, counters, {});
  std::thread t([&] { srv.run(); });
  {
    client c("127.0.0.1", srv.port());
    EXPECT_EQ(c.request(run_command(37))["step"], 37);
    const auto r = c.request(make_command(command_kind::stop));
    EXPECT_EQ(r["ok"], true) << r.dump();
    EXPECT_EQ(r["step"], 37);
    EXPECT_EQ(r["checkpoint"], file.string());
    EXPECT_FALSE(c.next().has_value());  // then the server closes the connection
  }
  t.join();  // run() returned: graceful shutdown
  std::ifstream in(file, std::ios::binary);
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  emulator::simulation sim(image, {});
  sim.restore(bytes, file.string());
  EXPECT_EQ(sim.step(), 37u);
  EXPECT_EQ(sim.checkpoint(), eng.simulation().checkpoint());
  std::filesystem::remove(file);
}

TEST(server, connection_over_the_cap_is_told_and_closed) {
  server_options so;
  so.max_connections = 2;
  running_server s(compile_network_json(closed_loop_network()), {}, so);
  client a("127.0.0.1", s.port()), b("127.0.0.1", s.port());
  EXPECT_EQ(a.request(make_command(command_kind::status))["ok"], true);
  EXPECT_EQ(b.request(make_command(command_kind::status))["ok"], true);
  client c("127.0.0.1", s.port());
  const auto m = c.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(std::get<nlohmann::json>(*m)["error"], "too_many_connections");
  EXPECT_FALSE(c.next().has_value());
  EXPECT_EQ(a.request(make_command(command_kind::counters))["connections_rejected"], 1);
}

TEST(server, incomplete_message_times_out_with_an_error) {
  server_options so;
  so.message_timeout = std::chrono::milliseconds(50);
  running_server s(compile_network_json(closed_loop_network()), {}, so);
  client c("127.0.0.1", s.port());
  std::vector<std::uint8_t> half;
  append_frame(half, frame_type::inject, 1, std::vector<event>{{0, 0, 1}});
  half.resize(half.size() - 4);
  c.send_bytes(half);
  const auto m = c.next();  // blocks until the server gives up on the frame
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(std::get<nlohmann::json>(*m)["error"], "timeout");
  EXPECT_FALSE(c.next().has_value());
  client d("127.0.0.1", s.port());
  EXPECT_EQ(d.request(make_command(command_kind::counters))["timeouts"], 1);
}

TEST(server, long_run_waiting_for_its_reply_is_not_idle) {
  server_options so;
  so.idle_timeout = std::chrono::milliseconds(30);
  running_server s(compile_network_json(closed_loop_network()), {}, so);
  client a("127.0.0.1", s.port());
  command run = run_command(std::uint64_t{1} << 40);
  run.id = "\"long\"";
  const std::string line = encode_command(run);
  a.send_bytes({reinterpret_cast<const std::uint8_t*>(line.data()), line.size()});
  // An idle connection opened after a's command: once it has timed out,
  // a has waited at least as long.
  client idle("127.0.0.1", s.port());
  const auto m = idle.next();
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(std::get<nlohmann::json>(*m)["error"], "timeout");
  const auto paused = a.request(make_command(command_kind::pause));
  EXPECT_EQ(paused["ok"], true) << paused.dump();
  ASSERT_EQ(a.notices().size(), 1u);
  EXPECT_EQ(a.notices().front()["id"], "long");  // the run's reply
  EXPECT_EQ(a.notices().front()["paused"], true);
  EXPECT_EQ(a.notices().front()["step"], paused["step"]);
}

TEST(server, udp_inject_frame_reaches_the_network) {
  running_server s(compile_network_json(closed_loop_network()));
  client c("127.0.0.1", s.port());
  EXPECT_EQ(c.request(subscribe_command({"sensor"}))["ok"], true);
  const std::vector<event> e{{c.population("sensor"), 0, 6}};
  const std::vector<std::uint8_t> bytes = encode_frame({frame_type::inject, 3, e});
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(s.port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<std::uint8_t> garbage(40, 0xEB);
  ::sendto(fd, garbage.data(), garbage.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::sendto(fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  ::close(fd);
  // Wait (bounded, no sleeping) until the datagram is queued before running.
  int polls = 0;
  while (c.request(make_command(command_kind::counters))["events_received"] != 1 && ++polls < 100000) {
  }
  ASSERT_LT(polls, 100000);
  EXPECT_EQ(c.request(run_command(5))["step"], 5);
  ASSERT_EQ(c.frames().size(), 1u);
  EXPECT_EQ(c.frames().front().step, 3u);
  EXPECT_EQ(c.frames().front().events, e);
  const auto counters = c.request(make_command(command_kind::counters));
  EXPECT_EQ(counters["datagrams"], 2);
  EXPECT_EQ(counters["datagrams_malformed"], 1);
}

TEST(server, spikes_stream_by_udp_to_the_subscribers_port) {
  running_server s(compile_network_json(closed_loop_network()));
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
  socklen_t size = sizeof at;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&at), &size);
  timeval bound{10, 0};  // a lost datagram fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  client c("127.0.0.1", s.port());
  EXPECT_EQ(c.request(subscribe_command({"sensor"}, ntohs(at.sin_port)))["ok"], true);
  const std::uint16_t sensor = c.population("sensor");
  c.inject(2, std::vector<event>{{sensor, 0, 1}, {sensor, 0, 4}});
  c.inject(7, std::vector<event>{{sensor, 0, 0}});
  EXPECT_EQ(c.request(run_command(10))["step"], 10);
  EXPECT_TRUE(c.frames().empty());  // nothing on TCP
  std::vector<event_frame> got;
  for (int k = 0; k < 2; ++k) {
    std::uint8_t buffer[2048];
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    ASSERT_GT(n, 0);
    auto f = decode_datagram(std::span<const std::uint8_t>(buffer, static_cast<std::size_t>(n)), limits{});
    ASSERT_TRUE(std::holds_alternative<event_frame>(f));
    got.push_back(std::get<event_frame>(f));
  }
  ::close(fd);
  std::sort(got.begin(), got.end(), [](const event_frame& a, const event_frame& b) { return a.step < b.step; });
  EXPECT_EQ(got[0], (event_frame{frame_type::spikes, 2, {{sensor, 0, 1}, {sensor, 0, 4}}}));
  EXPECT_EQ(got[1], (event_frame{frame_type::spikes, 7, {{sensor, 0, 0}}}));
}

TEST(server, bad_commands_and_events_get_typed_error_replies) {
  running_server s(compile_network_json(closed_loop_network()));
  client c("127.0.0.1", s.port());
  EXPECT_EQ(c.request(reward_command("motor"))["error"], "not_an_input");
  EXPECT_EQ(c.request(reward_command("nope"))["error"], "unknown_population");
  EXPECT_EQ(c.request(subscribe_command({"nope"}))["error"], "unknown_population");
  EXPECT_EQ(c.request(make_command(command_kind::checkpoint))["error"], "no_checkpoint_file");
  const auto expect_event_error = [&](event e, const char* code) {
    c.inject(0, std::vector<event>{e});
    const auto m = c.next();
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(std::get<nlohmann::json>(*m)["error"], code);
  };
  expect_event_error({c.population("motor"), 0, 0}, "not_an_input");
  expect_event_error({99, 0, 0}, "unknown_population");
  expect_event_error({c.population("sensor"), 0, 8}, "neuron_out_of_range");
  EXPECT_EQ(c.request(make_command(command_kind::status))["ok"], true);  // still served
}

}  // namespace
}  // namespace engram::test
