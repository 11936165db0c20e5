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
  Field<"key",   24, Unsigned, "Key a packet must match (after masking)">,
  Field<"mask",  24, Unsigned, "Bits of the key that take part in the match">,
  Field<"ports", 6,  Unsigned, "Output ports: bit i set sends the packet to RoutePort i">
]>;
