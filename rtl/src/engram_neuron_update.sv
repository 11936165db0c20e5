// The neuron update of docs/numerics.md §6 (phase 2) and the post traces of
// §7 (phase 3) for one neuron: purely combinational, one neuron per use. The
// core's update engine runs it once per neuron and time step.
//
// ENGRAM_MUTATE_THRESHOLD_GT (a define) spikes on v > threshold instead of
// v >= threshold; only the co-simulation's mutation test builds it.

module engram_neuron_update
  import engram_isa_pkg::*;
  import engram_core_pkg::*;
(
  input  neuron_state_t                state_i,       // registers after the previous step
  input  neuron_config_t               config_i,      // the neuron's profile
  input  trace_config_t [2:0]          post_trace_i,  // y1..y3 profiles of config_i.post_trace_profile
  input  logic signed [StateWidth-1:0] in_exc_i,      // excitatory accumulator slot of this step (>= 0)
  input  logic signed [StateWidth-1:0] in_inh_i,      // inhibitory accumulator slot of this step (<= 0)
  input  logic                         lif_i,         // a LIF neuron is updated (0: a spike source, or no update: registers stay)
  output neuron_state_t                state_o,       // registers after this step
  output logic                         spike_o        // the neuron spiked in this step
);

  localparam int unsigned SumWidth = StateWidth + 3;  // a sum of three int24 and the bias

  // Derived configuration values (numerics §3), the currents (decay, then
  // this step's input, one saturation) and the voltage. Computed only for a
  // LIF neuron being updated (lif_i): otherwise the datapath's results stay
  // zero (operand isolation), and a simulator skips it.
  logic signed [SumWidth-1:0]   threshold, bias;
  logic signed [StateWidth-1:0] reset_v;
  logic signed [StateWidth-1:0] u_exc, u_inh, v_decayed, v_sat;
  logic signed [SumWidth-1:0]   v_sum;
  logic                         fire;

  always_comb begin
    threshold = '0;
    bias      = '0;
    reset_v   = '0;
    u_exc     = '0;
    u_inh     = '0;
    v_decayed = '0;
    v_sum     = '0;
    v_sat     = '0;
    fire      = 1'b0;
    state_o   = state_i;
    spike_o   = 1'b0;
    if (lif_i) begin
      threshold = $signed({{(SumWidth-NeuronConfigThresholdMantWidth-ThresholdShift){1'b0}},
                           config_i.threshold_mant, {ThresholdShift{1'b0}}});
      bias      = SumWidth'(config_i.bias_mant) <<< config_i.bias_exp;
      reset_v   = StateWidth'(config_i.reset_mant) <<< ResetShift;
      u_exc     = sat_state(SumWidth'(decay_state(state_i.u_exc, config_i.decay_u_exc)) + SumWidth'(in_exc_i));
      u_inh     = sat_state(SumWidth'(decay_state(state_i.u_inh, config_i.decay_u_inh)) + SumWidth'(in_inh_i));
      v_decayed = decay_state(state_i.v, config_i.decay_v);
      v_sum     = SumWidth'(v_decayed) + SumWidth'(u_exc) + SumWidth'(u_inh) + bias;
      v_sat     = sat_state(v_sum);
`ifdef ENGRAM_MUTATE_THRESHOLD_GT
      fire      = SumWidth'(v_sat) > threshold;
`else
      fire      = SumWidth'(v_sat) >= threshold;
`endif
      state_o.u_exc = u_exc;
      state_o.u_inh = u_inh;
      if (state_i.refractory != '0) begin
        // Refractory at entry: v held at reset, the currents keep integrating.
        state_o.refractory = state_i.refractory - 1'b1;
        state_o.v          = reset_v;
      end else if (fire) begin
        spike_o            = 1'b1;
        state_o.v          = reset_v;
        state_o.refractory = config_i.refractory_period;
      end else begin
        state_o.v          = v_sat;
      end
      // Phase 3: every post trace decays, and gets its impulse on a spike.
      state_o.y1 = trace_step(state_i.y1, post_trace_i[0].decay, post_trace_i[0].impulse, spike_o);
      state_o.y2 = trace_step(state_i.y2, post_trace_i[1].decay, post_trace_i[1].impulse, spike_o);
      state_o.y3 = trace_step(state_i.y3, post_trace_i[2].decay, post_trace_i[2].impulse, spike_o);
    end
  end

  // The trace profile is selected by the core; unused bits of the formats.
  logic unused_config;
  assign unused_config = ^{config_i.unused, config_i.post_trace_profile,
                           post_trace_i[0].unused, post_trace_i[1].unused, post_trace_i[2].unused};

endmodule
