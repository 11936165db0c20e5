// `engram serve`: the network side. A TCP acceptor (control lines and event
// frames on one connection, docs/protocol.md), a UDP socket on the same port
// for inject frames and streamed spikes, and SIGINT/SIGTERM handling, all on
// Asio C++20 coroutines over one I/O thread; the engine runs on its own
// thread and is never blocked by a client. Asio stays inside server.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <engram/server/engine.hpp>
#include <engram/server/protocol.hpp>

namespace engram::server {

struct server_options {
  std::string bind = "127.0.0.1";  ///< loopback unless told otherwise
  std::uint16_t port = 0;          ///< 0: any free port (see server::port())
  bool udp = true;                 ///< also listen for inject frames on UDP, same port
  std::size_t max_connections = 256;
  /// A connection idle this long is closed: no complete message in, no
  /// write out, and no command of it waiting for its reply.
  std::chrono::milliseconds idle_timeout{600'000};
  /// A message whose first byte has arrived must be complete within this.
  std::chrono::milliseconds message_timeout{10'000};
  /// A write to a client must finish within this (else: a slow client, closed).
  std::chrono::milliseconds write_timeout{10'000};
  /// Per connection: streamed output frames beyond this many queued bytes are dropped (counted).
  std::size_t max_output_bytes = std::size_t{4} << 20;
  /// Per connection: replies beyond this many queued bytes close the connection.
  std::size_t max_reply_bytes = std::size_t{1} << 20;
  limits caps;
  bool handle_signals = false;  ///< SIGINT and SIGTERM stop the server gracefully
};

class server {
 public:
  /// Binds the sockets; throws user_error when the address cannot be bound.
  server(engine& e, server_counters& counters, server_options options);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The TCP (and UDP) port.
  std::uint16_t port() const noexcept;
  /// Runs the engine thread and the I/O until the engine stops (a `stop`
  /// command, a signal or stop()), then flushes the replies and returns.
  void run();
  /// From any thread: ask for a graceful stop.
  void stop();

  struct impl;  // the Asio side (server.cpp)

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace engram::server
