// The mesh as the image's routing tables make it (docs/mapping.md, "Routing"):
// for every neuron that emits, the multicast tree its packets follow — which
// links they cross, in which order, and at which cores they arrive. Trees are
// walked once, from the tables, when the simulation is built; a table that
// sends a packet off the grid or round in a loop is refused then.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <engram/isa/chip_image.hpp>

namespace engram::emulator {

enum class link_kind : std::uint8_t { east_west = 0, north_south = 1, inter_chip = 2 };

/// The path of one key through the mesh. Node 0 is the source core's router;
/// edge i leads from node edges[i].parent to node i + 1 (breadth-first order,
/// so a parent comes before its children).
struct route_tree {
  struct edge {
    std::uint32_t parent = 0;
    std::uint32_t link = 0;  ///< fabric link id
    link_kind kind = link_kind::east_west;
    friend bool operator==(const edge&, const edge&) = default;
  };
  struct arrival {
    std::uint32_t node = 0;
    std::uint32_t core = 0;
    friend bool operator==(const arrival&, const arrival&) = default;
  };
  std::vector<edge> edges;
  std::vector<arrival> arrivals;      ///< in breadth-first order
  std::vector<std::uint32_t> destinations;  ///< the arrivals' cores, ascending, once each
  std::uint32_t hops_east_west = 0;
  std::uint32_t hops_north_south = 0;
  std::uint32_t hops_inter_chip = 0;
  friend bool operator==(const route_tree&, const route_tree&) = default;
};

class fabric {
 public:
  /// Walks the tree of every emitting neuron; throws isa::image_error
  /// (invariant) naming the key and the router where a route leaves the
  /// grid, loops, or uses a port the mesh does not have.
  explicit fabric(const isa::chip_image& image);

  /// The tree of neuron `neuron` of core `core` (an empty tree for a neuron
  /// that does not emit).
  const route_tree& tree(std::uint32_t core, std::uint32_t neuron) const noexcept {
    return trees_[tree_of_[core][neuron]];
  }
  std::size_t distinct_trees() const noexcept { return trees_.size(); }

  /// Links: 4 per grid position (east, west, north, south out of it).
  std::uint32_t link_count() const noexcept { return static_cast<std::uint32_t>(grid_w_ * grid_h_ * 4); }
  /// "(3,1) east".
  std::string link_name(std::uint32_t link) const;

 private:
  std::uint64_t grid_w_ = 0;
  std::uint64_t grid_h_ = 0;
  std::vector<route_tree> trees_;                  // trees_[0] is the empty tree
  std::vector<std::vector<std::uint32_t>> tree_of_;  // per core, per neuron
};

}  // namespace engram::emulator
