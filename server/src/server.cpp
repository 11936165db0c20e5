#include <utility>  // before Asio (TOOLCHAIN.md)

#include <engram/server/server.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <thread>

#include <boost/asio.hpp>

#include <engram/common/error.hpp>

namespace engram::server {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using clock_type = std::chrono::steady_clock;
using sys_error = boost::system::error_code;

namespace {

class session;

}  // namespace

struct server::impl : engine_sink {
  impl(engine& e, server_counters& c, server_options o)
      : eng(e), counters(c), options(std::move(o)), acceptor(io), udp_socket(io), signals(io), fallback(io) {}

  // engine_sink: from the engine thread, handed over to the I/O thread.
  void reply(std::uint64_t client, std::string line, bool answer) override;
  void frame(std::uint64_t client, std::shared_ptr<const std::vector<std::uint8_t>> bytes,
             std::optional<std::uint16_t> udp_port) override;
  void stopped() override;

  awaitable<void> accept_loop();
  awaitable<void> udp_loop();
  void close_listeners();

  engine& eng;
  server_counters& counters;
  server_options options;
  asio::io_context io;
  tcp::acceptor acceptor;
  udp::socket udp_socket;
  asio::signal_set signals;
  asio::steady_timer fallback;
  std::map<std::uint64_t, std::shared_ptr<session>> sessions;
  std::uint64_t next_id = 1;
  std::size_t udp_in_flight = 0;
  bool stopping = false;
};

namespace {

// One TCP connection: a reader, a writer and a watchdog coroutine.
class session : public std::enable_shared_from_this<session> {
 public:
  session(server::impl& s, tcp::socket socket, std::uint64_t id)
      : server_(s), socket_(std::move(socket)), id_(id), wake_(socket_.get_executor()),
        watchdog_(socket_.get_executor()) {
    wake_.expires_at(clock_type::time_point::max());
    read_deadline_ = clock_type::now() + server_.options.idle_timeout;
  }

  void start() {
    auto self = shared_from_this();
    asio::co_spawn(socket_.get_executor(), [self] { return self->reader(); }, asio::detached);
    asio::co_spawn(socket_.get_executor(), [self] { return self->writer(); }, asio::detached);
    asio::co_spawn(socket_.get_executor(), [self] { return self->watchdog(); }, asio::detached);
  }

  std::uint64_t id() const noexcept { return id_; }
  tcp::endpoint remote(sys_error& ec) const { return socket_.remote_endpoint(ec); }

  // `answer`: the reply to one of this connection's commands.
  void push_reply(std::string line, bool answer) {
    if (answer && outstanding_ > 0 && --outstanding_ == 0 && !partial_) {
      read_deadline_ = clock_type::now() + server_.options.idle_timeout;  // idle from now on
    }
    if (closed_) {
      return;
    }
    if (reply_bytes_ + line.size() > server_.options.max_reply_bytes) {
      ++server_.counters.replies_dropped;  // a client that never reads its replies
      close();
      return;
    }
    reply_bytes_ += line.size();
    auto bytes = std::make_shared<std::vector<std::uint8_t>>(line.begin(), line.end());
    out_.push_back({std::move(bytes), true});
    wake_.cancel();
  }

  void push_frame(std::shared_ptr<const std::vector<std::uint8_t>> bytes) {
    if (closed_ || closing_) {
      return;
    }
    if (frame_bytes_ + bytes->size() > server_.options.max_output_bytes) {
      ++server_.counters.frames_dropped;  // overflow policy: drop the newest output frame
      return;
    }
    frame_bytes_ += bytes->size();
    out_.push_back({std::move(bytes), false});
    wake_.cancel();
  }

  // Stop reading, flush what is queued, then close.
  void finish() {
    if (closed_ || closing_) {
      return;
    }
    closing_ = true;
    sys_error ec;
    socket_.shutdown(tcp::socket::shutdown_receive, ec);
    wake_.cancel();
  }

  void close() {
    if (closed_) {
      return;
    }
    closed_ = true;
    sys_error ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    wake_.cancel();
    watchdog_.cancel();
    --server_.counters.connections_open;
    server_.eng.disconnect(id_);
    server_.sessions.erase(id_);  // the coroutines still hold `self`
    if (server_.stopping && server_.sessions.empty()) {
      server_.fallback.cancel();  // every connection has flushed: stop now
    }
  }

 private:
  struct outgoing {
    std::shared_ptr<const std::vector<std::uint8_t>> bytes;
    bool reply;
  };

  void fail(const protocol_error& e, const std::string& id) {
    push_reply(error_reply(e, id), false);
    if (is_fatal(e.code)) {
      finish();
    }
  }

  awaitable<void> reader() {
    auto self = shared_from_this();
    std::array<std::uint8_t, 65536> chunk;
    std::vector<std::uint8_t> buffer;
    stream_state state;
    const limits& caps = server_.options.caps;
    while (!closed_ && !closing_) {
      sys_error ec;
      const std::size_t n = co_await socket_.async_read_some(asio::buffer(chunk), asio::redirect_error(use_awaitable, ec));
      if (ec || closed_) {
        break;
      }
      buffer.insert(buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
      std::size_t off = 0;
      bool complete = false;
      while (!closing_ && !closed_) {
        decode_result r = decode(std::span<const std::uint8_t>(buffer).subspan(off), state, caps);
        off += r.consumed;
        if (r.what == decode_result::status::need_more) {
          break;
        }
        complete = true;
        if (r.what == decode_result::status::error) {
          ++server_.counters.malformed;
          fail(*r.error, r.id);
          continue;
        }
        if (auto* c = std::get_if<command>(&*r.msg)) {
          const std::string id = c->id;
          if (auto e = server_.eng.submit(id_, std::move(*c))) {
            fail(*e, id);
          } else {
            ++outstanding_;  // not idle while waiting for the reply
          }
          continue;
        }
        event_frame& f = std::get<event_frame>(*r.msg);
        if (auto e = server_.eng.validate(f)) {
          server_.counters.events_rejected += f.events.size();
          fail(*e, {});
          continue;
        }
        if (auto e = server_.eng.submit(id_, std::move(f))) {
          fail(*e, {});
        }
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(off));
      const auto now = clock_type::now();
      if (buffer.empty() && !state.discarding_line) {
        if (complete) {
          read_deadline_ = now + server_.options.idle_timeout;
        }
      } else if (complete || !partial_) {
        read_deadline_ = now + server_.options.message_timeout;  // a message has started
      }
      partial_ = !buffer.empty() || state.discarding_line;
      rearm();
    }
    if (!closed_) {
      finish();  // the peer closed its side: flush the replies, then close
    }
  }

  awaitable<void> writer() {
    auto self = shared_from_this();
    std::vector<asio::const_buffer> buffers;
    while (!closed_) {
      if (out_.empty()) {
        if (closing_) {
          break;
        }
        sys_error ec;
        wake_.expires_at(clock_type::time_point::max());
        co_await wake_.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      buffers.clear();
      const std::size_t count = std::min<std::size_t>(out_.size(), 64);
      for (std::size_t k = 0; k < count; ++k) {
        buffers.push_back(asio::buffer(*out_[k].bytes));
      }
      write_deadline_ = clock_type::now() + server_.options.write_timeout;
      rearm();
      sys_error ec;
      co_await asio::async_write(socket_, buffers, asio::redirect_error(use_awaitable, ec));
      write_deadline_ = clock_type::time_point::max();
      if (ec || closed_) {
        break;
      }
      if (!partial_) {
        read_deadline_ = clock_type::now() + server_.options.idle_timeout;  // traffic: not idle
      }
      for (std::size_t k = 0; k < count; ++k) {
        (out_.front().reply ? reply_bytes_ : frame_bytes_) -= out_.front().bytes->size();
        out_.pop_front();
      }
    }
    close();
  }

  // Closes the connection when the read deadline (idle, or a message left
  // incomplete) or the write deadline (a client that does not read) passes.
  awaitable<void> watchdog() {
    auto self = shared_from_this();
    while (!closed_) {
      const auto due = std::min(read_due(), write_deadline_);
      if (due <= clock_type::now()) {
        ++server_.counters.timeouts;
        if (!closing_) {
          push_reply(error_reply({error_code::timeout, "no complete message in time"}), false);
          finish();
          write_deadline_ = std::min(write_deadline_, clock_type::now() + server_.options.write_timeout);
          continue;
        }
        close();
        break;
      }
      armed_ = due;
      watchdog_.expires_at(due);
      sys_error ec;
      co_await watchdog_.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }

  // Wakes the watchdog when a deadline moved earlier than the one it waits for.
  // The read deadline in force: a started message must complete in time;
  // an idle connection (nothing either way, no command waiting for its
  // reply) is closed after the idle timeout.
  clock_type::time_point read_due() const {
    if (closing_ || (!partial_ && outstanding_ > 0)) {
      return clock_type::time_point::max();
    }
    return read_deadline_;
  }

  void rearm() {
    const auto due = std::min(read_due(), write_deadline_);
    if (due < armed_) {
      watchdog_.cancel();
    }
  }

  server::impl& server_;
  tcp::socket socket_;
  std::uint64_t id_;
  asio::steady_timer wake_;
  asio::steady_timer watchdog_;
  std::deque<outgoing> out_;
  std::size_t reply_bytes_ = 0, frame_bytes_ = 0;
  clock_type::time_point read_deadline_;
  clock_type::time_point write_deadline_ = clock_type::time_point::max();
  clock_type::time_point armed_ = clock_type::time_point::max();
  std::size_t outstanding_ = 0;  // commands waiting for their reply
  bool partial_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

// Tells a connection over the cap why it is closed.
awaitable<void> reject(tcp::socket socket) {
  const std::string line = error_reply({error_code::too_many_connections, "the server's connection cap is reached"});
  sys_error ec;
  co_await asio::async_write(socket, asio::buffer(line), asio::redirect_error(use_awaitable, ec));
  socket.close(ec);
}

}  // namespace

void server::impl::reply(std::uint64_t client, std::string line, bool answer) {
  asio::post(io, [this, client, line = std::move(line), answer]() mutable {
    if (const auto it = sessions.find(client); it != sessions.end()) {
      it->second->push_reply(std::move(line), answer);
    }
  });
}

void server::impl::frame(std::uint64_t client, std::shared_ptr<const std::vector<std::uint8_t>> bytes,
                         std::optional<std::uint16_t> udp_port) {
  asio::post(io, [this, client, bytes = std::move(bytes), udp_port]() mutable {
    const auto it = sessions.find(client);
    if (it == sessions.end()) {
      return;
    }
    if (!udp_port) {
      it->second->push_frame(std::move(bytes));
      return;
    }
    if (!udp_socket.is_open() || udp_in_flight >= 256) {
      ++counters.frames_dropped;
      return;
    }
    sys_error ec;
    const auto peer = it->second->remote(ec);
    if (ec) {
      return;
    }
    ++udp_in_flight;
    udp_socket.async_send_to(asio::buffer(*bytes), udp::endpoint(peer.address(), *udp_port),
                             [this, bytes](sys_error, std::size_t) { --udp_in_flight; });
  });
}

void server::impl::stopped() {
  asio::post(io, [this] {
    stopping = true;
    close_listeners();
    std::vector<std::shared_ptr<session>> all;
    for (auto& [id, s] : sessions) {
      all.push_back(s);
    }
    for (auto& s : all) {
      s->finish();
    }
    // Clients that do not read get options.write_timeout to take their replies.
    fallback.expires_after(options.write_timeout);
    fallback.async_wait([this](sys_error) { io.stop(); });
    if (sessions.empty()) {
      fallback.cancel();
    }
  });
}

void server::impl::close_listeners() {
  sys_error ec;
  acceptor.close(ec);
  udp_socket.close(ec);
  signals.cancel(ec);
}

awaitable<void> server::impl::accept_loop() {
  while (acceptor.is_open()) {
    sys_error ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!acceptor.is_open() || stopping) {
        break;
      }
      continue;  // e.g. out of file descriptors: keep serving the others
    }
    if (stopping || sessions.size() >= options.max_connections) {
      ++counters.connections_rejected;
      asio::co_spawn(io, reject(std::move(socket)), asio::detached);
      continue;
    }
    ++counters.connections_accepted;
    ++counters.connections_open;
    socket.set_option(tcp::no_delay(true), ec);
    const std::uint64_t id = next_id++;
    auto s = std::make_shared<session>(*this, std::move(socket), id);
    sessions.emplace(id, s);
    s->start();
  }
}

awaitable<void> server::impl::udp_loop() {
  std::vector<std::uint8_t> datagram(65536);
  udp::endpoint from;
  while (udp_socket.is_open()) {
    sys_error ec;
    const std::size_t n =
        co_await udp_socket.async_receive_from(asio::buffer(datagram), from, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (!udp_socket.is_open()) {
        break;
      }
      continue;
    }
    ++counters.datagrams;
    auto f = decode_datagram(std::span<const std::uint8_t>(datagram.data(), n), options.caps);
    if (std::holds_alternative<protocol_error>(f)) {
      ++counters.datagrams_malformed;
      continue;  // UDP gets no replies
    }
    event_frame& frame = std::get<event_frame>(f);
    if (eng.validate(frame)) {
      ++counters.datagrams_malformed;
      counters.events_rejected += frame.events.size();
      continue;
    }
    eng.submit(0, std::move(frame));  // overflow: dropped and counted by the engine
  }
}

server::server(engine& e, server_counters& counters, server_options options)
    : impl_(std::make_unique<impl>(e, counters, std::move(options))) {
  impl& m = *impl_;
  sys_error ec;
  const auto address = asio::ip::make_address(m.options.bind, ec);
  if (ec) {
    throw user_error("--bind: \"" + m.options.bind + "\" is not an IP address");
  }
  const tcp::endpoint at(address, m.options.port);
  m.acceptor.open(at.protocol(), ec);
  if (!ec) {
    m.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    m.acceptor.bind(at, ec);
  }
  if (!ec) {
    m.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    throw user_error("cannot listen on " + m.options.bind + " port " + std::to_string(m.options.port) + ": " +
                     ec.message());
  }
  if (m.options.udp) {
    const udp::endpoint uat(address, m.acceptor.local_endpoint().port());
    m.udp_socket.open(uat.protocol(), ec);
    if (!ec) {
      m.udp_socket.bind(uat, ec);
    }
    if (ec) {
      throw user_error("cannot bind UDP " + m.options.bind + " port " + std::to_string(uat.port()) + ": " +
                       ec.message());
    }
  }
}

server::~server() = default;

std::uint16_t server::port() const noexcept {
  sys_error ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void server::stop() {
  impl_->eng.request_stop();
}

void server::run() {
  impl& m = *impl_;
  asio::co_spawn(m.io, m.accept_loop(), asio::detached);
  if (m.udp_socket.is_open()) {
    asio::co_spawn(m.io, m.udp_loop(), asio::detached);
  }
  if (m.options.handle_signals) {
    m.signals.add(SIGINT);
    m.signals.add(SIGTERM);
    m.signals.async_wait([&m](sys_error ec, int) {
      if (!ec) {
        m.eng.request_stop();
      }
    });
  }
  std::exception_ptr failure;
  std::thread engine_thread([&m, &failure] {
    try {
      m.eng.run(m);
    } catch (...) {
      failure = std::current_exception();
      m.stopped();
    }
  });
  m.io.run();
  m.eng.request_stop();
  engine_thread.join();
  if (failure) {
    std::rethrow_exception(failure);
  }
}

}  // namespace engram::server
