// Two formats whose C++ names are the same after snake-casing.
include "base.td"

def AerPacket : Format<16, "First", [
  Field<"a", 8, Unsigned, "A">
]>;

def AERPacket : Format<16, "Second", [  // expect-error: duplicate C++ name 'aer_packet'
  Field<"b", 8, Unsigned, "B">
]>;
