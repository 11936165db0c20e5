// Lint harness for the generated engram_isa_pkg: a registered pass-through of
// every format struct, plus a few uses of the enums and constants, so that
// `verilator --lint-only -Wall` checks every type in the package. (Verilator
// 5.006 crashes when linting a file that holds only a package.)
//
// When a format is added to isa/td, add its pass-through here.

module isa_pkg_lint_top
  import engram_isa_pkg::*;
(
  input  logic             clk_i,              // clock
  input  logic             rst_ni,             // asynchronous reset, active low

  input  aer_packet_t      aer_packet_i,       // formats in ...
  input  synapse_word_t    synapse_word_i,
  input  plastic_word_t    plastic_word_i,
  input  axon_entry_t      axon_entry_i,
  input  neuron_state_t    neuron_state_i,
  input  pre_trace_state_t pre_trace_state_i,
  input  neuron_config_t   neuron_config_i,
  input  trace_config_t    trace_config_i,
  input  learning_term_t   learning_term_i,
  input  learning_rule_t   learning_rule_i,
  input  route_entry_t     route_entry_i,
  input  input_map_entry_t input_map_entry_i,

  output aer_packet_t      aer_packet_o,       // ... and the same, one cycle later
  output synapse_word_t    synapse_word_o,
  output plastic_word_t    plastic_word_o,
  output axon_entry_t      axon_entry_o,
  output neuron_state_t    neuron_state_o,
  output pre_trace_state_t pre_trace_state_o,
  output neuron_config_t   neuron_config_o,
  output trace_config_t    trace_config_o,
  output learning_term_t   learning_term_o,
  output learning_rule_t   learning_rule_o,
  output route_entry_t     route_entry_o,
  output input_map_entry_t input_map_entry_o,

  output logic             synapse_inhibitory_o,  // synapse_word_i feeds u_inh
  output logic             term_updates_tag_o,    // learning_term_i updates the tag
  output logic             term_uses_weight_o,    // learning_term_i has a factor w
  output logic             route_to_local_o,      // route_entry_i sends to this core
  output logic             delay_valid_o          // synapse_word_i's delay is in range
);

  aer_packet_t      aer_packet_q;
  synapse_word_t    synapse_word_q;
  plastic_word_t    plastic_word_q;
  axon_entry_t      axon_entry_q;
  neuron_state_t    neuron_state_q;
  pre_trace_state_t pre_trace_state_q;
  neuron_config_t   neuron_config_q;
  trace_config_t    trace_config_q;
  learning_term_t   learning_term_q;
  learning_rule_t   learning_rule_q;
  route_entry_t     route_entry_q;
  input_map_entry_t input_map_entry_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      aer_packet_q      <= '0;
      synapse_word_q    <= '0;
      plastic_word_q    <= '0;
      axon_entry_q      <= '0;
      neuron_state_q    <= '0;
      pre_trace_state_q <= '0;
      neuron_config_q   <= '0;
      trace_config_q    <= '0;
      learning_term_q   <= '0;
      learning_rule_q   <= '0;
      route_entry_q     <= '0;
      input_map_entry_q <= '0;
    end else begin
      aer_packet_q      <= aer_packet_i;
      synapse_word_q    <= synapse_word_i;
      plastic_word_q    <= plastic_word_i;
      axon_entry_q      <= axon_entry_i;
      neuron_state_q    <= neuron_state_i;
      pre_trace_state_q <= pre_trace_state_i;
      neuron_config_q   <= neuron_config_i;
      trace_config_q    <= trace_config_i;
      learning_term_q   <= learning_term_i;
      learning_rule_q   <= learning_rule_i;
      route_entry_q     <= route_entry_i;
      input_map_entry_q <= input_map_entry_i;
    end
  end

  assign aer_packet_o      = aer_packet_q;
  assign synapse_word_o    = synapse_word_q;
  assign plastic_word_o    = plastic_word_q;
  assign axon_entry_o      = axon_entry_q;
  assign neuron_state_o    = neuron_state_q;
  assign pre_trace_state_o = pre_trace_state_q;
  assign neuron_config_o   = neuron_config_q;
  assign trace_config_o    = trace_config_q;
  assign learning_term_o   = learning_term_q;
  assign learning_rule_o   = learning_rule_q;
  assign route_entry_o     = route_entry_q;
  assign input_map_entry_o = input_map_entry_q;

  // Enums and constants.
  assign synapse_inhibitory_o = synapse_word_i.receptor == ReceptorKindInhibitory;
  assign term_updates_tag_o   = learning_term_i.target == LearnTargetTag;
  assign term_uses_weight_o   = learning_term_i.op0 == LearnOperandW ||
                                learning_term_i.op1 == LearnOperandW ||
                                learning_term_i.op2 == LearnOperandW;
  assign route_to_local_o     = route_entry_i.ports[RoutePortLocal];
  assign delay_valid_o        = synapse_word_i.delay >= SynapseWordDelayWidth'(MinDelay);

  // The structs are as wide as their formats.
  if ($bits(aer_packet_t) != AerPacketWidth ||
      $bits(synapse_word_t) != SynapseWordWidth ||
      $bits(plastic_word_t) != PlasticWordWidth ||
      $bits(axon_entry_t) != AxonEntryWidth ||
      $bits(neuron_state_t) != NeuronStateWidth ||
      $bits(pre_trace_state_t) != PreTraceStateWidth ||
      $bits(neuron_config_t) != NeuronConfigWidth ||
      $bits(trace_config_t) != TraceConfigWidth ||
      $bits(learning_term_t) != LearningTermWidth ||
      $bits(learning_rule_t) != LearningRuleWidth ||
      $bits(route_entry_t) != RouteEntryWidth ||
      $bits(input_map_entry_t) != InputMapEntryWidth) begin : g_width_mismatch
    $error("engram_isa_pkg: a struct is not as wide as its format");
  end

endmodule
