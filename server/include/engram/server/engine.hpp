// The simulation side of `engram serve`: one thread owns the simulation and
// takes commands and events from a bounded queue; the network side never
// touches the simulation. No sockets here (server.hpp has those), so the
// engine is tested directly.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include <engram/emulator/simulation.hpp>
#include <engram/isa/chip_image.hpp>
#include <engram/server/protocol.hpp>

namespace engram::server {

/// Figures every part of the server adds to (docs/protocol.md, "Counters").
struct server_counters {
  std::atomic<std::uint64_t> events_received{0};   ///< events in accepted inject frames (TCP and UDP)
  std::atomic<std::uint64_t> events_injected{0};   ///< events applied to the simulation
  std::atomic<std::uint64_t> events_late{0};       ///< of those, applied after their step (at the next step)
  std::atomic<std::uint64_t> events_dropped{0};    ///< dropped because the event queue was full
  std::atomic<std::uint64_t> events_rejected{0};   ///< naming no input neuron
  std::atomic<std::uint64_t> commands{0};          ///< control commands executed
  std::atomic<std::uint64_t> malformed{0};         ///< messages rejected by the decoder
  std::atomic<std::uint64_t> spikes_streamed{0};   ///< output spike events queued to subscribers
  std::atomic<std::uint64_t> frames_dropped{0};    ///< output frames dropped for slow subscribers
  std::atomic<std::uint64_t> replies_dropped{0};   ///< connections closed because their replies piled up
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_rejected{0};  ///< over the connection cap
  std::atomic<std::uint64_t> connections_open{0};
  std::atomic<std::uint64_t> timeouts{0};          ///< connections closed for idleness or a stalled message
  std::atomic<std::uint64_t> datagrams{0};         ///< UDP datagrams received
  std::atomic<std::uint64_t> datagrams_malformed{0};
};

/// Where the engine's output goes (the server, or a test): called from the
/// engine thread, must not block.
class engine_sink {
 public:
  virtual ~engine_sink() = default;
  /// A reply line (with its newline) for connection `client`; `answer`:
  /// the reply to one of its commands (each command gets exactly one),
  /// otherwise an error about an event frame.
  virtual void reply(std::uint64_t client, std::string line, bool answer) = 0;
  /// An output frame (spikes of one step) for connection `client`; over UDP
  /// to `udp_port` of the client's address when it is set.
  virtual void frame(std::uint64_t client, std::shared_ptr<const std::vector<std::uint8_t>> bytes,
                     std::optional<std::uint16_t> udp_port) = 0;
  /// The engine has stopped (after its final checkpoint).
  virtual void stopped() = 0;
};

struct engine_options {
  bool real_time = false;  ///< one step per dt of wall-clock time (else as fast as possible)
  std::filesystem::path checkpoint_file;  ///< for `checkpoint` and the final checkpoint (empty: none)
  std::size_t max_queued_events = 1 << 18;  ///< events waiting in the queue and for their step
  std::size_t max_queued_commands = 1024;
  std::uint64_t max_steps_ahead = 1 << 20;  ///< how far in the future an event may be (else rejected)
  /// Steps run between looks at the queue when running as fast as possible
  /// (1: every event that arrives before its step is applied on time).
  std::uint32_t batch = 1;
};

/// A population as clients see it.
struct population_info {
  std::string name;
  std::uint32_t size = 0;
  isa::neuron_kind kind = isa::neuron_kind::lif;
};

class engine {
 public:
  /// `image` must outlive the engine.
  engine(const isa::chip_image& image, emulator::simulation_options sim_options, engine_options options,
         server_counters& counters);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  /// Restores a checkpoint before run() (simulation::restore).
  void restore(std::span<const std::uint8_t> bytes, const std::string& source);

  // --- From any thread ---------------------------------------------------------
  /// Checks an inject frame against the network (pure, thread-safe).
  std::optional<protocol_error> validate(const event_frame& frame) const;
  /// Queues a validated inject frame. Overflow policy: when the queue holds
  /// max_queued_events, the whole frame is dropped, counted in
  /// events_dropped, and queue_full is returned.
  std::optional<protocol_error> submit(std::uint64_t client, event_frame frame);
  /// Queues a command; its reply goes to sink.reply(client, …). Over
  /// max_queued_commands it is refused with busy.
  std::optional<protocol_error> submit(std::uint64_t client, command c);
  /// The client has gone: its subscriptions end.
  void disconnect(std::uint64_t client);
  /// Ends run() after the current step (SIGINT, SIGTERM).
  void request_stop();
  bool stopping() const noexcept { return stop_.load(); }

  /// The engine thread's body: returns when stopped, after the final
  /// checkpoint. `sink` gets every reply and frame.
  void run(engine_sink& sink);

  const std::vector<population_info>& populations() const noexcept { return populations_; }
  /// The simulation (between runs of the engine only: before run() or after it returned).
  emulator::simulation& simulation() noexcept { return *sim_; }

 private:
  struct queued {
    std::uint64_t client;
    std::variant<command, event_frame> what;
  };
  struct subscription {
    std::vector<std::uint8_t> populations;  // per population: 1 if streamed
    std::optional<std::uint16_t> udp_port;
  };
  struct pending_run {
    std::uint64_t client;
    std::string id;
  };
  class observer;

  void handle(engine_sink& sink, queued& item);
  void execute(engine_sink& sink, std::uint64_t client, command& c);
  void step_once(engine_sink& sink);
  void finish_runs(engine_sink& sink, bool paused);
  std::string status_json() const;
  std::string counters_json() const;
  bool write_checkpoint(std::string& error);

  const isa::chip_image* image_;
  engine_options options_;
  server_counters* counters_;
  std::unique_ptr<emulator::simulation> sim_;
  std::vector<population_info> populations_;
  // Queue (under lock_).
  mutable std::mutex lock_;
  std::condition_variable wake_;
  std::deque<queued> queue_;
  std::size_t queued_events_ = 0;  // in queue_ and pending_ together
  std::size_t queued_commands_ = 0;
  std::vector<std::uint64_t> gone_;  // disconnected clients to unsubscribe
  std::atomic<bool> stop_{false};
  // Engine thread only.
  std::map<std::uint64_t, std::vector<event>> pending_;  // by step
  std::map<std::uint64_t, subscription> subscribers_;
  std::vector<pending_run> runs_;
  observer* observer_ = nullptr;
  bool running_ = false;
  std::optional<std::uint64_t> target_;  // run until this step; none: continuous
  std::chrono::steady_clock::time_point epoch_;  // real time: when step epoch_step_ started
  std::uint64_t epoch_step_ = 0;
  double lag_ms_ = 0, max_lag_ms_ = 0;
};

}  // namespace engram::server
