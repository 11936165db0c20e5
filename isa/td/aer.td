//===- aer.td - Engram ISA: address-event packets --------------------------===//

def AerPacket : Format<64,
  "Address-event packet: one spike or modulator event between cores", [
  Field<"payload",   8,  Unsigned, "Graded spike value, or the amplitude of a modulator event">,
  Field<"timestamp", 12, Unsigned, "Emission step modulo 4096">,
  Field<"axon",      12, Unsigned, "Input-axon index at the destination core">,
  Field<"src_core",  16, Unsigned, "Index of the core that emitted the packet">,
  Field<"dst_core",  16, Unsigned, "Index of the core the packet is addressed to">
]>;
