//===- routing.td - Engram ISA: routing tables -----------------------------===//
//
// A router matches a packet's key against each RouteEntry (key & mask) and
// sends it to every port in `ports`; several ports make a multicast.
//
//===----------------------------------------------------------------------===//

def RoutePort : Enum<3, "Output port of a router (a bit index of RouteEntry.ports)", [
  EnumValue<"east",    0, "east",    "Towards x + 1">,
  EnumValue<"west",    1, "west",    "Towards x - 1">,
  EnumValue<"north",   2, "north",   "Towards y + 1">,
  EnumValue<"south",   3, "south",   "Towards y - 1">,
  EnumValue<"local",   4, "local",   "Into this core">,
  EnumValue<"offchip", 5, "offchip", "Over the chip-to-chip link">
]>;

def RouteEntry : Format<64, "One routing-table entry", [
  Field<"key",   28, Unsigned, "Key a packet must match after masking: src_core << 12 | neuron">,
  Field<"mask",  28, Unsigned, "Bits of the key that take part in the match">,
  Field<"ports", 6,  Unsigned, "Output ports: bit i set sends the packet to RoutePort i">
]>;

def InputMapEntry : Format<128,
  "Input-map entry: a range of source neurons to a range of input axons, or to one indexed axon", [
  Field<"src_core",    16, Unsigned, "(First) core whose neurons the entry maps">,
  Field<"neuron_base", 12, Unsigned, "First neuron of the range on that core">,
  Field<"count",       13, Unsigned, "Neurons in the range on each core, 1..4096">,
  Field<"axon_base",   12, Unsigned, "Input axon of the first neuron (the rest follow in order), or the indexed axon">,
  Field<"indexed",     1,  Unsigned, "1 if every neuron of the entry feeds the one indexed axon axon_base">,
  Field<"src_cores",   16, Unsigned, "Consecutive source cores from src_core with the same range (1 unless indexed)">,
  Field<"index_base",  20, Unsigned, "Indexed: the source index of the first core's neuron_base (0 unless indexed)">
]>;
