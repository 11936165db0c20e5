#include <engram/server/client.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <engram/common/error.hpp>

namespace engram::server {

using nlohmann::json;

client::client(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) {
    throw user_error("cannot resolve \"" + host + "\"");
  }
  int error = 0;
  for (addrinfo* a = found; a != nullptr && fd_ < 0; a = a->ai_next) {
    fd_ = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd_ >= 0 && ::connect(fd_, a->ai_addr, a->ai_addrlen) != 0) {
      error = errno;
      ::close(fd_);
      fd_ = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) {
    throw user_error("cannot connect to " + host + " port " + std::to_string(port) + ": " + std::strerror(error));
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

client::~client() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

void client::send_bytes(std::span<const std::uint8_t> bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      throw user_error(std::string("connection to the server lost: ") + std::strerror(errno));
    }
    sent += static_cast<std::size_t>(n);
  }
}

void client::inject(std::uint64_t step, std::span<const event> events) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t first = 0; first < events.size() || first == 0; first += caps_.max_frame_events) {
    const std::size_t n = std::min(caps_.max_frame_events, events.size() - first);
    append_frame(bytes, frame_type::inject, step, events.subspan(first, n));
    if (events.empty()) {
      break;
    }
  }
  send_bytes(bytes);
}

void client::fill() {
  std::uint8_t chunk[65536];
  for (;;) {
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      throw std::runtime_error("closed");
    }
    in_.insert(in_.end(), chunk, chunk + n);
    return;
  }
}

std::optional<std::variant<json, event_frame>> client::next() {
  try {
    for (;;) {
      if (!in_.empty() && in_[0] == frame_magic) {
        stream_state state;
        const decode_result r = decode(in_, state, caps_);
        if (r.what == decode_result::status::need_more) {
          fill();
          continue;
        }
        in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(r.consumed));
        if (r.what == decode_result::status::error) {
          throw user_error("the server sent a bad frame: " + r.error->message);
        }
        return std::get<event_frame>(*r.msg);
      }
      const auto nl = std::find(in_.begin(), in_.end(), std::uint8_t{'\n'});
      if (nl == in_.end()) {
        fill();
        continue;
      }
      const std::string line(in_.begin(), nl);
      in_.erase(in_.begin(), nl + 1);
      json j = json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        throw user_error("the server sent a line that is not JSON: " + line.substr(0, 80));
      }
      return j;
    }
  } catch (const std::runtime_error& e) {
    if (std::string_view(e.what()) == "closed") {
      return std::nullopt;
    }
    throw;
  }
}

json client::request(command c) {
  const std::uint64_t id = next_id_++;
  c.id = std::to_string(id);
  const std::string line = encode_command(c);
  send_bytes({reinterpret_cast<const std::uint8_t*>(line.data()), line.size()});
  for (;;) {
    auto m = next();
    if (!m) {
      throw user_error("the server closed the connection before replying to \"" + std::string(to_string(c.kind)) + "\"");
    }
    if (auto* f = std::get_if<event_frame>(&*m)) {
      frames_.push_back(std::move(*f));
      continue;
    }
    json& j = std::get<json>(*m);
    if (j.contains("id") && j["id"] == id) {
      return j;
    }
    notices_.push_back(std::move(j));
  }
}

std::uint16_t client::population(const std::string& name) {
  if (!status_) {
    status_ = request(make_command(command_kind::status));
  }
  for (const json& p : (*status_)["populations"]) {
    if (p["name"] == name) {
      return p["index"].get<std::uint16_t>();
    }
  }
  throw user_error("the server's network has no population \"" + name + "\"");
}

double client::dt_ms() {
  if (!status_) {
    status_ = request(make_command(command_kind::status));
  }
  return (*status_)["dt_ms"].get<double>();
}

std::vector<std::pair<std::uint64_t, std::uint32_t>> read_spike_file(const std::string& file, double dt_ms) {
  std::ifstream in(file);
  if (!in) {
    throw file_error(file, "cannot open the spike file");
  }
  std::vector<std::pair<std::uint64_t, std::uint32_t>> out;
  std::string text;
  for (std::size_t number = 1; std::getline(in, text); ++number) {
    if (const auto hash = text.find('#'); hash != std::string::npos) {
      text.resize(hash);
    }
    if (text.find_first_not_of(" \t\r") == std::string::npos) {
      continue;
    }
    std::istringstream fields(text);
    double neuron = -1, time = -1;
    char comma = 0;
    if (!(fields >> neuron >> comma >> time) || comma != ',' || neuron < 0 || neuron != std::floor(neuron) ||
        neuron > 4294967295.0 || !(time >= 0) || !std::isfinite(time)) {
      throw file_error(file + ":" + std::to_string(number), "expected \"neuron,time_ms\" (a whole number >= 0 and a time >= 0)");
    }
    out.emplace_back(static_cast<std::uint64_t>(std::round(time / dt_ms)), static_cast<std::uint32_t>(neuron));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace engram::server
