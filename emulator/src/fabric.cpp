#include <engram/emulator/fabric.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <optional>

namespace engram::emulator {

namespace {

constexpr std::array<const char*, 4> direction_names{"east", "west", "north", "south"};

std::string key_text(std::uint32_t core, std::uint32_t neuron) {
  return "key of core " + std::to_string(core) + " neuron " + std::to_string(neuron);
}

[[noreturn]] void route_error(const isa::chip_image& image, std::uint32_t core, std::uint32_t neuron,
                              std::uint64_t x, std::uint64_t y, const std::string& what) {
  isa::image_error::where w;
  w.source = "chip image";
  w.section = "routes";
  w.core = core;
  w.x = image.cores[core].x;
  w.y = image.cores[core].y;
  throw isa::image_error(isa::image_error::problem::invariant, w,
                         "the route of the " + key_text(core, neuron) + " (" + isa::neuron_name(image, core, neuron) +
                             ") " + what + " at router (" + std::to_string(x) + "," + std::to_string(y) + ")");
}

// A table whose masks all keep a prefix of the key's bits matches aligned
// blocks of keys; when the blocks are also disjoint (as the compiler writes
// them) the entries that can match a core's keys are found by binary search
// instead of a scan. Other tables are scanned.
struct table_index {
  bool blocks = false;
  std::vector<std::array<std::uint32_t, 3>> sorted;  // (first key, last key, entry), by first key
};

constexpr std::uint32_t key_bits_mask = (1u << 28) - 1;

table_index index_table(const std::vector<isa::route_entry>& table) {
  table_index t;
  for (std::uint32_t e = 0; e < table.size(); ++e) {
    const std::uint32_t low = ~table[e].mask & key_bits_mask;
    if ((low & (low + 1)) != 0) {
      return t;
    }
    const std::uint32_t first = table[e].key & ~low & key_bits_mask;
    t.sorted.push_back({first, first | low, e});
  }
  std::sort(t.sorted.begin(), t.sorted.end());
  for (std::size_t i = 1; i < t.sorted.size(); ++i) {
    if (t.sorted[i][0] <= t.sorted[i - 1][1]) {
      t.sorted.clear();
      return t;
    }
  }
  t.blocks = true;
  return t;
}

// The neurons [first, end) of a core an entry matches, if they are a range.
std::optional<std::pair<std::uint32_t, std::uint32_t>> neuron_range(const isa::route_entry& r,
                                                                    std::uint32_t neuron_bits) {
  const std::uint32_t all = (1u << neuron_bits) - 1;
  const std::uint32_t low = ~r.mask & all;
  if ((low & (low + 1)) != 0) {
    return std::nullopt;
  }
  const std::uint32_t first = r.key & all & ~low;
  return std::pair{first, first + low + 1};
}

}  // namespace

fabric::fabric(const isa::chip_image& image) {
  const isa::image_chip& chip = image.chip;
  grid_w_ = chip.grid_width();
  grid_h_ = chip.grid_height();
  const std::uint64_t cells = grid_w_ * grid_h_;
  // What sits at each grid position: a core's table, a coreless router's, or none.
  std::vector<std::int64_t> core_at(cells, -1);
  std::vector<const std::vector<isa::route_entry>*> table_at(cells, nullptr);
  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    const std::uint64_t cell = std::uint64_t{image.cores[c].y} * grid_w_ + image.cores[c].x;
    if (cell < cells) {
      core_at[cell] = c;
      table_at[cell] = &image.cores[c].routes;
    }
  }
  for (const isa::image_router& r : image.routers) {
    const std::uint64_t cell = std::uint64_t{r.y} * grid_w_ + r.x;
    if (cell < cells) {
      table_at[cell] = &r.entries;
    }
  }

  trees_.emplace_back();
  tree_of_.resize(image.cores.size());
  // Per source core: the entries of each visited router that can match a
  // key of that core (masked core bits agree), found once per router.
  std::vector<std::vector<std::uint32_t>> candidates(cells);
  std::vector<std::uint8_t> have_candidates(cells, 0);
  std::vector<table_index> indexes(cells);
  for (std::uint64_t cell = 0; cell < cells; ++cell) {
    if (table_at[cell] != nullptr) {
      indexes[cell] = index_table(*table_at[cell]);
    }
  }
  std::vector<std::uint64_t> touched;
  constexpr std::uint32_t neuron_bits = 12;
  // Per cell (for the current source core): the candidates' range ends, and
  // whether a candidate matches neurons that are not one range.
  std::vector<std::vector<std::uint32_t>> bounds(cells);
  std::vector<std::uint8_t> irregular(cells, 0);
  std::vector<std::uint64_t> visited;  // cells with a table on the current tree

  for (std::uint32_t c = 0; c < image.cores.size(); ++c) {
    const isa::core_image& src = image.cores[c];
    tree_of_[c].assign(src.neuron_count(), 0);
    for (std::uint64_t cell : touched) {
      have_candidates[cell] = 0;
      candidates[cell].clear();
    }
    touched.clear();
    std::optional<std::uint32_t> previous;
    // Neurons below same_until take the same entry as the last walked one at
    // every router its tree visits, so they have its tree: not walked again.
    std::uint32_t same_until = 0;
    for (std::uint32_t n = 0; n < src.neuron_count(); ++n) {
      if (!src.emits[n]) {
        continue;
      }
      if (previous && n < same_until) {
        tree_of_[c][n] = *previous;
        continue;
      }
      visited.clear();
      const std::uint32_t key = (c << neuron_bits) | n;
      route_tree t;
      struct item {
        std::uint32_t node;
        std::uint64_t x, y;
        int dir;  // direction travelled into this router; -1 from the local port
      };
      std::deque<item> queue{{0, src.x, src.y, -1}};
      std::uint32_t nodes = 1;
      while (!queue.empty()) {
        const item it = queue.front();
        queue.pop_front();
        if (nodes > 4 * cells + 4) {
          route_error(image, c, n, it.x, it.y, "loops");
        }
        const std::uint64_t cell = it.y * grid_w_ + it.x;
        const std::vector<isa::route_entry>* table = table_at[cell];
        if (table != nullptr && !have_candidates[cell]) {
          have_candidates[cell] = 1;
          touched.push_back(cell);
          const std::uint32_t core_bits = c << neuron_bits;
          const table_index& index = indexes[cell];
          if (index.blocks) {
            const std::uint32_t lo = core_bits;
            const std::uint32_t hi = core_bits | ((1u << neuron_bits) - 1);
            auto at = std::lower_bound(index.sorted.begin(), index.sorted.end(), lo,
                                       [](const auto& b, std::uint32_t key) { return b[1] < key; });
            for (; at != index.sorted.end() && (*at)[0] <= hi; ++at) {
              candidates[cell].push_back((*at)[2]);
            }
            std::sort(candidates[cell].begin(), candidates[cell].end());  // table order: first match wins
          } else {
            for (std::uint32_t e = 0; e < table->size(); ++e) {
              const isa::route_entry& r = (*table)[e];
              const std::uint32_t core_mask = r.mask & ~((1u << neuron_bits) - 1);
              if ((core_bits & core_mask) == (r.key & core_mask)) {
                candidates[cell].push_back(e);
              }
            }
          }
          // Where, among this core's neurons, the entries that can match
          // change: the ends of the candidates' neuron ranges.
          bounds[cell].clear();
          irregular[cell] = 0;
          for (std::uint32_t e : candidates[cell]) {
            const auto range = neuron_range((*table)[e], neuron_bits);
            if (!range) {
              irregular[cell] = 1;
              continue;
            }
            bounds[cell].push_back(range->first);
            bounds[cell].push_back(range->second);
          }
          std::sort(bounds[cell].begin(), bounds[cell].end());
        }
        if (table != nullptr) {
          visited.push_back(cell);
        }
        std::uint32_t ports = 0;
        bool matched = false;
        if (table != nullptr) {
          for (std::uint32_t e : candidates[cell]) {
            const isa::route_entry& r = (*table)[e];
            if ((key & r.mask) == r.key) {
              ports = r.ports;
              matched = true;
              break;
            }
          }
        }
        if (!matched && it.dir >= 0) {
          ports = 1u << it.dir;  // default route: straight on
        }
        if (ports & (1u << static_cast<unsigned>(isa::route_port::offchip))) {
          route_error(image, c, n, it.x, it.y, "uses the offchip port (hops between chips are ordinary "
                                               "directional hops on the global grid)");
        }
        if (ports & (1u << static_cast<unsigned>(isa::route_port::local))) {
          if (core_at[cell] >= 0) {
            t.arrivals.push_back({it.node, static_cast<std::uint32_t>(core_at[cell])});
          } else {
            route_error(image, c, n, it.x, it.y, "is delivered to the local port of a router without a core");
          }
        }
        for (int d = 0; d < 4; ++d) {
          if (!(ports & (1u << d))) {
            continue;
          }
          std::int64_t nx = static_cast<std::int64_t>(it.x), ny = static_cast<std::int64_t>(it.y);
          nx += d == 0 ? 1 : d == 1 ? -1 : 0;
          ny += d == 2 ? 1 : d == 3 ? -1 : 0;
          if (nx < 0 || ny < 0 || static_cast<std::uint64_t>(nx) >= grid_w_ ||
              static_cast<std::uint64_t>(ny) >= grid_h_) {
            route_error(image, c, n, it.x, it.y, std::string("leaves the grid going ") + direction_names[d]);
          }
          const bool other_chip = it.x / chip.mesh_width != static_cast<std::uint64_t>(nx) / chip.mesh_width ||
                                  it.y / chip.mesh_height != static_cast<std::uint64_t>(ny) / chip.mesh_height;
          route_tree::edge e;
          e.parent = it.node;
          e.link = static_cast<std::uint32_t>(cell * 4 + static_cast<std::uint64_t>(d));
          e.kind = other_chip ? link_kind::inter_chip : d < 2 ? link_kind::east_west : link_kind::north_south;
          if (e.kind == link_kind::inter_chip) {
            ++t.hops_inter_chip;
          } else if (e.kind == link_kind::east_west) {
            ++t.hops_east_west;
          } else {
            ++t.hops_north_south;
          }
          t.edges.push_back(e);
          queue.push_back({nodes++, static_cast<std::uint64_t>(nx), static_cast<std::uint64_t>(ny), d});
        }
      }
      for (const route_tree::arrival& a : t.arrivals) {
        t.destinations.push_back(a.core);
      }
      std::sort(t.destinations.begin(), t.destinations.end());
      t.destinations.erase(std::unique(t.destinations.begin(), t.destinations.end()), t.destinations.end());
      if (previous && trees_[*previous] == t) {
        tree_of_[c][n] = *previous;
      } else {
        tree_of_[c][n] = static_cast<std::uint32_t>(trees_.size());
        previous = tree_of_[c][n];
        trees_.push_back(std::move(t));
      }
      same_until = 1u << neuron_bits;
      for (const std::uint64_t cell : visited) {
        if (irregular[cell] != 0) {
          same_until = n + 1;
          break;
        }
        const auto next = std::upper_bound(bounds[cell].begin(), bounds[cell].end(), n);
        if (next != bounds[cell].end()) {
          same_until = std::min(same_until, *next);
        }
      }
    }
  }
}

std::string fabric::link_name(std::uint32_t link) const {
  const std::uint64_t cell = link / 4;
  return "(" + std::to_string(cell % grid_w_) + "," + std::to_string(cell / grid_w_) + ") " +
         direction_names[link % 4];
}

}  // namespace engram::emulator
