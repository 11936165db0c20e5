//===- synapse.td - Engram ISA: synapse memory and the input-axon table ---===//
//
// A core's input-axon table maps an incoming packet's axon to a row of
// synapse memory; each row holds one SynapseWord per synapse, followed by a
// PlasticWord when the synapse is plastic. An indexed axon is shared by a
// whole range of source neurons: its entry locates an index of IndexWords,
// one per block of 16 source neurons, and the blocks' synapses follow the
// index, each SynapseWord naming its source within the block.
//
//===----------------------------------------------------------------------===//

def ReceptorKind : Enum<1, "Which synaptic current a synapse feeds", [
  EnumValue<"excitatory", 0, "exc", "Adds to the excitatory current u_exc">,
  EnumValue<"inhibitory", 1, "inh", "Adds to the inhibitory current u_inh">
]>;

def SynapseWord : Format<32, "One synapse in synapse memory", [
  Field<"weight",      8,  Signed,   "Weight mantissa (scaled by the row's weight_exp)">,
  Field<"delay",       6,  Unsigned, "Delay in steps, 1..63 (0 is invalid)">,
  Field<"target",      12, Unsigned, "Index of the target neuron in the core">,
  EnumField<"receptor", ReceptorKind, "Which synaptic current the synapse feeds">,
  Field<"plastic",     1,  Unsigned, "1 if a PlasticWord follows this word">,
  Field<"source",      4,  Unsigned, "Indexed rows: the source neuron's place in its block of 16 (index mod 16); 0 elsewhere">
]>;

def IndexWord : Format<32, "One block of an indexed axon's index: where the synapses of 16 source neurons end", [
  Field<"run_end",     20, Unsigned, "End of the block's synapses, in words after the index (the previous block's end is its start)">
]>;

def PlasticWord : Format<32, "Second synapse-memory word of a plastic synapse", [
  Field<"tag",         16, Signed,   "Eligibility tag">,
  Field<"weight_frac", 8,  Unsigned, "Fraction bits below the weight mantissa's LSB">
]>;

def AxonEntry : Format<64, "Input-axon table entry: where an axon's synapses are", [
  Field<"row_base",          20, Unsigned, "First synapse-memory word of the axon's row">,
  Field<"row_len",           13, Unsigned, "Length of the row in words">,
  Field<"weight_exp",        4,  Signed,   "Weight exponent of the row (WeightExpMin..WeightExpMax)">,
  Field<"pre_trace_profile", 3,  Unsigned, "Trace profile of the axon's pre-synaptic traces">,
  Field<"rule",              4,  Unsigned, "Index of the learning rule of the row's plastic synapses">,
  Field<"learning",          1,  Unsigned, "1 if the row has plastic synapses">,
  Field<"modulator",         1,  Unsigned, "1 if the axon carries a modulator channel, not synapses">,
  Field<"modulator_channel", 3,  Unsigned, "Modulator channel the axon feeds (when modulator is 1)">,
  Field<"indexed",           1,  Unsigned, "1 if the axon is shared by a source range: row_base and row_len locate its index of IndexWords">
]>;
