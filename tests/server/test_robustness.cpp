// engram serve against bad clients, on loopback: 1e5 malformed and oversized
// messages, 1,000 abrupt disconnects mid-frame and 100 slow clients, while a
// well-behaved client runs the closed loop and must get exactly the offline
// result; the server's memory growth stays bounded.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>

#include "server_fixtures.hpp"

namespace engram::test {
namespace {

using namespace engram::server;

// VmRSS of this process (server and clients share it), in KiB.
long rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return -1;
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One malformed message of class k (none fatal: each gets an error reply).
void append_malformed(std::vector<std::uint8_t>& out, std::size_t k, std::uint16_t motor, std::size_t max_line) {
  const auto text = [&](const std::string& s) { out.insert(out.end(), s.begin(), s.end()); };
  switch (k % 9) {
    case 0: text("{\"cmd\": \n"); break;
    case 1: text("[1,2,3]\n"); break;
    case 2: text("{\"cmd\":\"fly\",\"id\":" + std::to_string(k) + "}\n"); break;
    case 3: text("{\"cmd\":\"run\",\"steps\":-1}\n"); break;
    case 4: text("{\"a\":[[[[[[[[1]]]]]]]]}\n"); break;
    case 5: {  // unknown frame type: skipped
      const std::size_t at = out.size();
      append_frame(out, frame_type::inject, 1, std::vector<event>{{0, 0, 0}});
      out[at + 2] = 7;
      break;
    }
    case 6: {  // length not a whole number of events
      const std::size_t at = out.size();
      append_frame(out, frame_type::inject, 1, std::vector<event>{{0, 0, 0}});
      out[at + 4] = 5;
      out.resize(at + frame_header_size + 5);
      break;
    }
    case 7:  // an event for a LIF population
      append_frame(out, frame_type::inject, 1, std::vector<event>{{motor, 0, 0}});
      break;
    case 8:  // oversized line (every 9th message; the line cap is max_line)
      text(std::string(k % 90 == 8 ? max_line + 100 : 10, 'x') + "\n");
      break;
  }
}

TEST(server_robustness, bad_clients_do_not_disturb_a_good_one) {
  server_options so;
  so.message_timeout = std::chrono::milliseconds(200);
  so.idle_timeout = std::chrono::milliseconds(5000);
  so.max_connections = 512;
  so.caps.max_line = 1024;
  running_server s(compile_network_json(closed_loop_network()), {}, so);
  const std::uint16_t port = s.port();
  loop_record warmup;
  {
    client warm("127.0.0.1", port);
    warmup = closed_loop(warm, 9, 2);  // warm up every code path before measuring memory
  }
  const long rss_before = rss_kib();

  const std::uint16_t motor = client("127.0.0.1", port).population("motor");
  std::atomic<std::size_t> errors_seen{0};
  std::atomic<std::size_t> malformed_sent{0};
  // Ten connections each send 10,000 malformed messages in batches of 500 and
  // read one error reply per message.
  std::vector<std::thread> abusers;
  for (int t = 0; t < 10; ++t) {
    abusers.emplace_back([&, t] {
      client bad("127.0.0.1", port);
      for (std::size_t batch = 0; batch < 20; ++batch) {
        std::vector<std::uint8_t> bytes;
        for (std::size_t k = 0; k < 500; ++k) {
          append_malformed(bytes, static_cast<std::size_t>(t) * 7 + batch * 500 + k, motor, so.caps.max_line);
        }
        bad.send_bytes(bytes);
        malformed_sent += 500;
        for (std::size_t k = 0; k < 500; ++k) {
          const auto m = bad.next();
          if (!m || !std::holds_alternative<nlohmann::json>(*m) || std::get<nlohmann::json>(*m)["ok"] != false) {
            return;
          }
          ++errors_seen;
        }
      }
    });
  }
  // 1,000 connections that send part of a message and vanish (half with a
  // reset), a few with a fatal frame first.
  abusers.emplace_back([&] {
    for (int k = 0; k < 1000; ++k) {
      const int fd = connect_loopback(port);
      if (fd < 0) {
        continue;
      }
      std::vector<std::uint8_t> bytes;
      if (k % 100 == 0) {
        append_frame(bytes, frame_type::inject, 1, {});
        bytes[4] = 0xff, bytes[5] = 0xff, bytes[6] = 0xff;  // frame_too_large: fatal
      }
      append_frame(bytes, frame_type::inject, 5, std::vector<event>(k % 7 + 1, event{0, 0, 1}));
      bytes.resize(bytes.size() - 1 - static_cast<std::size_t>(k) % 9);
      if (k % 3 == 0) {
        const std::string line = "{\"cmd\":\"run\",\"ste";
        bytes.insert(bytes.end(), line.begin(), line.end());
      }
      ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (k % 2 == 0) {
        linger hard{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
      }
      ::close(fd);
    }
  });
  // 100 slow clients: subscribe to everything, start a frame, never finish it
  // and never read.
  std::vector<int> slow;
  for (int k = 0; k < 100; ++k) {
    const int fd = connect_loopback(port);
    ASSERT_GE(fd, 0);
    std::string bytes = "{\"cmd\":\"subscribe\"}\n";
    bytes += static_cast<char>(frame_magic);
    bytes += static_cast<char>(protocol_version);
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    slow.push_back(fd);
  }

  // Meanwhile the well-behaved client.
  client good("127.0.0.1", port);
  loop_record rec = closed_loop(good, 4, 12);
  for (auto& t : abusers) {
    t.join();
  }
  auto live = rec.motor;
  live.insert(live.end(), warmup.motor.begin(), warmup.motor.end());
  std::sort(live.begin(), live.end());
  // The offline run gets every input of the server's run, the warm-up's too.
  rec.sensor.insert(rec.sensor.end(), warmup.sensor.begin(), warmup.sensor.end());
  for (const auto& [step, payload] : warmup.reward) {
    rec.reward[step] = std::max(rec.reward[step], payload);
  }
  EXPECT_EQ(live, offline_motor(rec, good.request(make_command(command_kind::status))["step"].get<std::uint64_t>()));
  ASSERT_GT(rec.motor.size(), 3u);
  EXPECT_EQ(malformed_sent.load(), 100000u);
  EXPECT_EQ(errors_seen.load(), 100000u);

  const auto counters = good.request(make_command(command_kind::counters));
  EXPECT_GE(counters["malformed"].get<std::uint64_t>(), 100000u - 100000u / 9) << counters.dump();
  // Connections reset before the server accepted them never reach it.
  EXPECT_GE(counters["connections_accepted"].get<std::uint64_t>(), 110u);
  EXPECT_EQ(counters["events_late"], 0);
  const long rss_after = rss_kib();
  std::printf("[ figures  ] RSS before %ld KiB, after %ld KiB, growth %ld KiB; counters %s\n", rss_before, rss_after,
              rss_after - rss_before, counters.dump().c_str());
  EXPECT_LT(rss_after - rss_before, 64 * 1024);  // generous: the queues are capped far below this
  for (const int fd : slow) {
    ::close(fd);
  }
}

}  // namespace
}  // namespace engram::test
