// The chip image (DESIGN.md, contract 7): everything a chip needs to run a
// network, in one versioned, checksummed file. Every core's configuration,
// synapse memory, routing table and learning microcode, plus the names that
// map cores and neurons back to populations. The compiler fills a chip_image
// and writes it; the emulator reads it. Both go through this code, and
// neither includes the other (docs/chip-image.md has the byte layout).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <engram/common/error.hpp>
#include <engram/isa/formats.hpp>

namespace engram::isa {

/// The layout version this build writes and reads (and the only one it reads).
inline constexpr std::uint32_t image_format_version = 2;
/// The first 8 bytes of every image file.
inline constexpr std::string_view image_magic = "ENGRAMIM";
/// Magic, version, reserved, payload length, CRC-32 of the payload.
inline constexpr std::size_t image_header_size = 28;
/// core_image::input_projection of an input-map entry that carries a modulator
/// channel (modulators reach cores through rules, not projections).
inline constexpr std::uint32_t no_projection = 0xffffffff;
/// spike_source::p32 of a Poisson source that spikes every step (numerics §9).
inline constexpr std::uint64_t p32_always = std::uint64_t{1} << 32;

/// What a neuron of a core is.
enum class neuron_kind : std::uint8_t {
  lif = 0,          ///< a current-based LIF neuron (IF_curr_exp), with a NeuronConfig profile
  spike_array = 1,  ///< a source that emits at listed steps (SpikeSourceArray)
  poisson = 2,      ///< a Poisson source (SpikeSourcePoisson, numerics §9)
  modulator = 3,    ///< a neuromodulator source: listed steps with a payload each
};

/// "lif", "spike_array", "poisson", "modulator"; "" for a value that is no kind.
std::string_view to_string(neuron_kind kind) noexcept;
/// Whether `kind` is one of the enumerators.
bool is_valid(neuron_kind kind) noexcept;

/// The chip's figures, copied from its engram-chip/1 description by the
/// compiler, so that an image runs (and is checked) without the chip file.
struct image_chip {
  std::string name;
  std::uint32_t mesh_width = 1;  ///< cores per chip in x
  std::uint32_t mesh_height = 1;
  std::uint32_t chips_width = 1;  ///< chips in the system in x
  std::uint32_t chips_height = 1;
  // Per-core limits.
  std::uint32_t neurons = 0;
  std::uint32_t synapse_words = 0;
  std::uint32_t input_axons = 0;
  std::uint32_t output_axons = 0;
  std::uint32_t neuron_profiles = 0;
  std::uint32_t trace_profiles = 0;
  std::uint32_t learning_rules = 0;
  std::uint32_t microcode_words = 0;
  std::uint32_t router_entries = 0;
  std::uint32_t max_delay = 0;
  // Timing.
  double clock_mhz = 0;
  double cycles_per_synaptic_op = 0;
  double cycles_per_neuron_update_active = 0;
  double cycles_per_neuron_update_idle = 0;
  double cycles_per_learning_update = 0;
  double cycles_per_hop_east_west = 0;
  double cycles_per_hop_north_south = 0;
  double cycles_per_local_spike = 0;
  double link_flits_per_cycle = 0;
  // Energy.
  double synaptic_op_pj = 0;
  double synaptic_update_pj = 0;
  double neuron_update_active_pj = 0;
  double neuron_update_idle_pj = 0;
  double spike_local_pj = 0;
  double hop_east_west_pj = 0;
  double hop_north_south_pj = 0;
  double static_power_mw_per_core = 0;
  // Links between chips (meaningful when has_inter_chip).
  bool has_inter_chip = false;
  double inter_chip_cycles_per_hop = 0;
  double inter_chip_hop_pj = 0;
  double inter_chip_link_flits_per_cycle = 0;

  /// Cores of the global grid (docs/mapping.md, "Routing") in x and y.
  std::uint64_t grid_width() const noexcept { return std::uint64_t{mesh_width} * chips_width; }
  std::uint64_t grid_height() const noexcept { return std::uint64_t{mesh_height} * chips_height; }

  friend bool operator==(const image_chip&, const image_chip&) = default;
};

/// The real-valued figures of image_chip (timing, energy, inter-chip links)
/// by name, in one list, for code that handles them all alike (validation,
/// JSON). Every one must be finite and >= 0.
struct image_chip_figure {
  std::string_view name;
  double image_chip::*value;
};
inline constexpr image_chip_figure image_chip_figures[] = {
    {"clock_mhz", &image_chip::clock_mhz},
    {"cycles_per_synaptic_op", &image_chip::cycles_per_synaptic_op},
    {"cycles_per_neuron_update_active", &image_chip::cycles_per_neuron_update_active},
    {"cycles_per_neuron_update_idle", &image_chip::cycles_per_neuron_update_idle},
    {"cycles_per_learning_update", &image_chip::cycles_per_learning_update},
    {"cycles_per_hop_east_west", &image_chip::cycles_per_hop_east_west},
    {"cycles_per_hop_north_south", &image_chip::cycles_per_hop_north_south},
    {"cycles_per_local_spike", &image_chip::cycles_per_local_spike},
    {"link_flits_per_cycle", &image_chip::link_flits_per_cycle},
    {"synaptic_op_pj", &image_chip::synaptic_op_pj},
    {"synaptic_update_pj", &image_chip::synaptic_update_pj},
    {"neuron_update_active_pj", &image_chip::neuron_update_active_pj},
    {"neuron_update_idle_pj", &image_chip::neuron_update_idle_pj},
    {"spike_local_pj", &image_chip::spike_local_pj},
    {"hop_east_west_pj", &image_chip::hop_east_west_pj},
    {"hop_north_south_pj", &image_chip::hop_north_south_pj},
    {"static_power_mw_per_core", &image_chip::static_power_mw_per_core},
    {"inter_chip_cycles_per_hop", &image_chip::inter_chip_cycles_per_hop},
    {"inter_chip_hop_pj", &image_chip::inter_chip_hop_pj},
    {"inter_chip_link_flits_per_cycle", &image_chip::inter_chip_link_flits_per_cycle},
};

/// The program of one source neuron (kind != lif). A lif neuron's program
/// is empty: spike_source{}.
struct spike_source {
  std::vector<std::uint32_t> steps{};    ///< spike_array, modulator: emission steps, strictly ascending
  std::vector<std::uint8_t> payloads{};  ///< modulator: one per step
  std::uint64_t p32 = 0;                 ///< poisson: per-step probability x 2^32 (0..2^32)
  std::uint32_t start_step = 0;          ///< poisson: active in [start_step, end_step)
  std::uint32_t end_step = 0xffffffff;
  std::uint32_t population = 0;  ///< poisson: Philox counter words (numerics §9):
  std::uint32_t index = 0;       ///< the population's index and the neuron's index in it

  friend bool operator==(const spike_source&, const spike_source&) = default;
};

/// One core: its neurons, its tables and its router. The index of a core in
/// chip_image::cores is its id, used in AER keys (src_core << 12 | neuron).
struct core_image {
  std::uint16_t x = 0;  ///< position on the global grid (docs/mapping.md, "Routing")
  std::uint16_t y = 0;
  // Per neuron (all of one size, the neuron count).
  std::vector<neuron_kind> kinds;
  std::vector<std::uint16_t> profile;  ///< index into profiles (lif only; 0 otherwise)
  std::vector<neuron_state> initial_state;
  std::vector<std::uint8_t> emits;  ///< 1 if the neuron has targets (it sends packets)
  std::vector<spike_source> sources;
  // Tables.
  std::vector<neuron_config> profiles;
  std::vector<input_map_entry> input_map;        ///< sorted by (src_core, neuron_base)
  std::vector<std::uint32_t> input_projection;   ///< per input_map entry: its projection, or no_projection
  std::vector<axon_entry> axons;
  std::vector<std::uint32_t> synapse_memory;     ///< packed SynapseWord / PlasticWord
  std::vector<trace_config> pre_trace_profiles;  ///< 2 per profile (x1, x2)
  std::vector<trace_config> post_trace_profiles; ///< 3 per profile (y1, y2, y3)
  std::vector<trace_config> modulator_traces;    ///< empty, or modulator_channels entries (r1)
  std::vector<learning_rule> rules;
  std::vector<learning_term> microcode;
  std::vector<route_entry> routes;

  std::size_t neuron_count() const noexcept { return kinds.size(); }
  /// Neurons with emits == 1: the core's output axons.
  std::size_t emitting_count() const noexcept;

  friend bool operator==(const core_image&, const core_image&) = default;
};

struct image_population {
  std::string name;
  std::uint32_t size = 0;
  neuron_kind kind = neuron_kind::lif;
  friend bool operator==(const image_population&, const image_population&) = default;
};

struct image_projection {
  std::string name;
  std::uint32_t pre = 0;   ///< population index
  std::uint32_t post = 0;  ///< population index (a lif population)
  std::int32_t weight_exp = 0;  ///< the rows' AxonEntry.weight_exp
  double weight_lsb_na = 0;     ///< nA of one weight-mantissa LSB (for reports)
  friend bool operator==(const image_projection&, const image_projection&) = default;
};

/// Neurons [first, first + count) of a population sit at neurons
/// [core_neuron, core_neuron + count) of a core.
struct image_slice {
  std::uint32_t population = 0;
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  std::uint32_t core = 0;
  std::uint32_t core_neuron = 0;
  friend bool operator==(const image_slice&, const image_slice&) = default;
};

/// A router at a grid position where the image has no core: a route turns or
/// splits there (docs/mapping.md, "Routing"). The routers of cores are
/// core_image::routes.
struct image_router {
  std::uint16_t x = 0;
  std::uint16_t y = 0;
  std::vector<route_entry> entries{};
  friend bool operator==(const image_router&, const image_router&) = default;
};

struct chip_image {
  std::string network_name;
  double dt_ms = 0;
  std::uint64_t seed = 0;
  image_chip chip;
  std::vector<image_population> populations;  ///< in the network's order (numerics §9)
  std::vector<image_projection> projections;
  std::vector<image_slice> slices;
  std::vector<image_router> routers;  ///< routers without a core, sorted by (y, x)
  std::vector<core_image> cores;      ///< the index is the core id

  friend bool operator==(const chip_image&, const chip_image&) = default;
};

/// A chip image that cannot be read, or breaks an invariant. The fields say
/// where: a byte offset and section for a malformed file, or a core, table
/// and index for a broken invariant (docs/chip-image.md, "Invariants").
class image_error : public user_error {
 public:
  enum class problem : std::uint8_t {
    not_an_image,         ///< wrong magic
    unsupported_version,  ///< another layout version
    truncated,            ///< the bytes end before what the layout needs
    checksum_mismatch,    ///< the payload's CRC-32 differs from the header's
    bad_length,           ///< a length or count larger than what remains, or a section with unread bytes
    trailing_bytes,       ///< bytes after the payload
    bad_value,            ///< a value the layout cannot hold (an enum, unused bits, a wrong section tag)
    invariant,            ///< a decoded image that breaks an invariant (validate_image)
  };
  struct where {
    std::string source;                   ///< file name, or "chip image"
    std::optional<std::uint64_t> offset;  ///< byte offset in the file
    std::string section;                  ///< section tag ("CORE") or table ("synapse_memory")
    std::optional<std::uint32_t> core;    ///< core id
    std::uint16_t x = 0;                  ///< the core's position (when core is set)
    std::uint16_t y = 0;
    std::optional<std::uint64_t> index;   ///< entry of the table
  };

  image_error(problem kind, where location, std::string reason);

  problem kind;
  std::string source;
  std::optional<std::uint64_t> offset;
  std::string section;
  std::optional<std::uint32_t> core;
  std::uint16_t x;
  std::uint16_t y;
  std::optional<std::uint64_t> index;
  std::string reason;
};

/// "bad_value" etc.
std::string_view to_string(image_error::problem problem) noexcept;

// --- Reading and writing (docs/chip-image.md) ---------------------------------

/// CRC-32 of `bytes` (IEEE 802.3: polynomial 0x04C11DB7 reflected, initial
/// and final value 0xFFFFFFFF); crc32("123456789") == 0xCBF43926.
std::uint32_t crc32(std::span<const std::uint8_t> bytes) noexcept;

/// The image as bytes: the same image gives the same bytes. Does not
/// validate; throws field_out_of_range (an internal error) for an ISA record
/// whose value its field cannot hold.
std::vector<std::uint8_t> serialize_image(const chip_image& image);

/// Decodes and validates `bytes`. Throws image_error (naming source_name) for
/// anything but a valid image; never allocates more than a small multiple of
/// bytes.size().
chip_image deserialize_image(std::span<const std::uint8_t> bytes, std::string_view source_name);

/// Validates, then writes the image atomically: a temporary file in the same
/// directory, fsync, rename over `file`. On failure `file` is untouched, no
/// temporary file remains, and file_error says why. "-" writes to stdout.
void write_image(const chip_image& image, const std::filesystem::path& file);

/// Reads, decodes and validates an image file (file_error if it cannot be read).
chip_image read_image(const std::filesystem::path& file);

/// Checks every invariant of docs/chip-image.md (numerics §12 among them);
/// throws image_error naming the core (id and x,y), the table, the index and
/// the value.
void validate_image(const chip_image& image, std::string_view source_name = "chip image");

// --- Lookups -------------------------------------------------------------------

struct neuron_location {
  std::uint32_t core = 0;
  std::uint32_t neuron = 0;  ///< index in the core
  friend bool operator==(const neuron_location&, const neuron_location&) = default;
};

/// Where neuron `index` of population `population` sits, if a slice holds it.
std::optional<neuron_location> locate_neuron(const chip_image& image, std::uint32_t population,
                                             std::uint32_t index);
/// The slice holding neuron `neuron` of core `core`, or nullptr.
const image_slice* slice_at(const chip_image& image, std::uint32_t core, std::uint32_t neuron);
/// "exc[12]" for the neuron of a slice, "core 3 neuron 5" otherwise.
std::string neuron_name(const chip_image& image, std::uint32_t core, std::uint32_t neuron);
/// Names of neurons [first, first + count) of a core, slice by slice:
/// "exc[12..15]", "exc[30..31], inh[0..1]".
std::string neuron_range_name(const chip_image& image, std::uint32_t core, std::uint32_t first,
                              std::uint32_t count);
/// Index of the population called `name`.
std::optional<std::uint32_t> find_population(const chip_image& image, std::string_view name);
/// Index of the projection called `name`.
std::optional<std::uint32_t> find_projection(const chip_image& image, std::string_view name);
/// Index in chip_image::routers of the coreless router at (x, y).
std::optional<std::uint32_t> find_router(const chip_image& image, std::uint32_t x, std::uint32_t y);
/// Id of the core at global grid position (x, y).
std::optional<std::uint32_t> find_core(const chip_image& image, std::uint32_t x, std::uint32_t y);

/// One synapse of a row: the address of its SynapseWord, the word, and its
/// PlasticWord when it is plastic.
struct row_synapse {
  std::uint32_t address = 0;
  synapse_word word;
  std::optional<plastic_word> plastic;
};
/// The synapses of `axon`'s row, in memory order (a row that runs past the
/// memory, possible only in an image that fails validation, ends there).
/// Empty for an indexed axon: its words are an index (decode_indexed).
std::vector<row_synapse> decode_row(const core_image& core, const axon_entry& axon);

/// One synapse of an indexed axon (numerics §5): the address of its
/// SynapseWord, the word, its block and the index j of its source in the
/// projection's pre population (block * IndexBlock + word.source).
struct indexed_synapse {
  std::uint32_t address = 0;
  synapse_word word;
  std::uint32_t block = 0;
  std::uint32_t source = 0;
};
/// The synapses of indexed `axon`, block by block, each block in memory
/// order; empty for an ordinary axon. Blocks whose index words or synapses
/// lie past the memory, or whose run_end goes backwards (possible only in an
/// image that fails validation), contribute what lies within the memory.
std::vector<indexed_synapse> decode_indexed(const core_image& core, const axon_entry& axon);

/// Words of synapse memory `axon` occupies: row_len for an ordinary axon;
/// for an indexed one its row_len index words and the words of its blocks
/// (the last index word's run_end, when it lies within the memory).
std::uint64_t axon_words(const core_image& core, const axon_entry& axon);

/// Sums over all cores.
struct image_totals {
  std::uint64_t neurons = 0;
  std::uint64_t emitting_neurons = 0;
  std::uint64_t synapses = 0;          ///< of ordinary rows and of indexed axons
  std::uint64_t plastic_synapses = 0;
  std::uint64_t indexed_synapses = 0;  ///< synapses of indexed axons
  std::uint64_t synapse_words = 0;     ///< words of synapse memory, index words among them
  std::uint64_t index_words = 0;       ///< IndexWords of indexed axons
  std::uint64_t input_axons = 0;
  std::uint64_t indexed_axons = 0;
  std::uint64_t input_map_entries = 0;
  std::uint64_t route_entries = 0;         ///< of cores and of routers without a core
  std::uint64_t routers_without_core = 0;
  std::uint64_t learning_rules = 0;
  std::uint64_t microcode_words = 0;
};
image_totals count_totals(const chip_image& image);

}  // namespace engram::isa
