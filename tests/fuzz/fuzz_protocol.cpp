// libFuzzer target for the wire protocol of `engram serve` (docs/protocol.md):
// the stream decoder, the datagram decoder and the control-line parser on
// arbitrary bytes. Every call must return (a message, an error or "need
// more"), make progress, and never read outside its input; a decoded frame
// or command must encode back to something that decodes to the same value.
// Build and run: scripts/fuzz.sh protocol [seconds]

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include <engram/server/protocol.hpp>

namespace {

namespace srv = engram::server;

void round_trip(const srv::message& m, const srv::limits& caps) {
  srv::stream_state state;
  std::vector<std::uint8_t> bytes;
  if (const auto* f = std::get_if<srv::event_frame>(&m)) {
    bytes = srv::encode_frame(*f);
  } else {
    const std::string line = srv::encode_command(std::get<srv::command>(m));
    bytes.assign(line.begin(), line.end());
  }
  const srv::decode_result again = srv::decode(bytes, state, caps);
  if (again.what != srv::decode_result::status::complete || !again.msg || !(*again.msg == m) ||
      again.consumed != bytes.size()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  srv::limits caps;
  caps.max_line = 256;  // small caps reach the limits with short inputs
  caps.max_frame_events = 64;
  const std::span<const std::uint8_t> bytes(data, size);

  // The stream decoder, as the server drives it: fed in two pieces.
  srv::stream_state state;
  std::vector<std::uint8_t> buffer;
  const std::size_t split = size == 0 ? 0 : data[0] % (size + 1);
  for (const auto piece : {bytes.first(split), bytes.subspan(split)}) {
    buffer.insert(buffer.end(), piece.begin(), piece.end());
    for (int guard = 0;; ++guard) {
      if (guard > 100000) {
        std::abort();  // no progress
      }
      const srv::decode_result r = srv::decode(buffer, state, caps);
      if (r.consumed > buffer.size()) {
        std::abort();
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(r.consumed));
      if (r.what == srv::decode_result::status::need_more) {
        break;
      }
      if (r.what == srv::decode_result::status::error) {
        if (!r.error || srv::to_string(r.error->code).empty()) {
          std::abort();
        }
        if (srv::is_fatal(r.error->code)) {
          buffer.clear();
          break;
        }
        (void)srv::error_reply(*r.error, r.id);
        continue;
      }
      if (r.consumed == 0 || !r.msg) {
        std::abort();
      }
      round_trip(*r.msg, caps);
    }
  }

  // One datagram.
  const auto d = srv::decode_datagram(bytes, caps);
  if (const auto* f = std::get_if<srv::event_frame>(&d)) {
    if (srv::encode_frame(*f) != std::vector<std::uint8_t>(bytes.begin(), bytes.end())) {
      std::abort();
    }
  }
  // One control line.
  const auto c = srv::parse_command(std::string_view(reinterpret_cast<const char*>(data), size), caps);
  if (const auto* p = std::get_if<srv::protocol_error>(&c)) {
    (void)srv::error_reply(*p);
  }
  return 0;
}
