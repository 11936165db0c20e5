//===- aer.td - Engram ISA: address-event packets --------------------------===//

def AerPacket : Format<64,
  "Address-event packet: one spike or modulator event, multicast by its key", [
  Field<"payload",   8,  Unsigned, "Graded spike value, or the amplitude of a modulator event">,
  Field<"timestamp", 12, Unsigned, "Emission step modulo 4096">,
  Field<"neuron",    12, Unsigned, "Index of the emitting neuron in its core (low bits of the key)">,
  Field<"src_core",  16, Unsigned, "Index of the emitting core (high bits of the key)">
]>;
