//===- engram.td - Engram ISA: every bit-level format of the chip ---------===//
//
// The single source of truth for the virtual chip's formats. engram-tblgen
// turns it into include/engram/isa/formats.hpp and rtl/engram_isa_pkg.sv in the
// build tree; docs/isa.md describes it. Order here is the order of the
// generated code.
//
//===----------------------------------------------------------------------===//

include "base.td"

include "constants.td"
include "aer.td"
include "synapse.td"
include "neuron.td"
include "learning.td"
include "routing.td"
