// The Engram neuron core (docs/rtl.md): the LIF datapath of
// docs/numerics.md §5–§7 for one core, bit for bit what emulator::core
// computes, without the learning engine (pre traces, modulators and weight
// updates come in a later stage).
//
// Use, per time step s:
//   1. ingress: present every input event of the step (input axon and the
//      emission step t = s - 1 of its packet) on in_*; each takes one cycle
//      for the axon lookup and one per synapse-memory word of its row, which
//      it adds into the dendritic accumulator slot (t + delay) mod NumSlots;
//   2. pulse start_i with step_i = s: the update engine visits neurons
//      0 .. count-1, one per cycle, consuming and clearing slot s mod NumSlots,
//      streaming the spiking neurons on spike_* and every neuron's new
//      registers on obs_*; done_o marks the last one.
// Before the first step the load port fills the tables and clear_i zeroes
// the accumulators of the configured neurons.
//
// Memories are modelled as arrays with combinational read (one access per
// port and cycle); an SRAM version would add a read stage to each engine.

module engram_neuron_core
  import engram_isa_pkg::*;
  import engram_core_pkg::*;
#(
  parameter int unsigned NumNeurons  = 256,   // neurons per core (a power of two, <= 4096)
  parameter int unsigned NumProfiles = 16,    // neuron profiles (>= 2)
  parameter int unsigned NumAxons    = 256,   // input axons (>= 2)
  parameter int unsigned NumSynWords = 4096,  // 32-bit synapse-memory words (>= 2)
  parameter int unsigned NumSlots    = 64     // accumulator slots per receptor: a power of two >= the longest delay
) (
  input  logic                                clk_i,           // clock
  input  logic                                rst_ni,          // asynchronous reset, active low

  // Load port: one table entry per cycle, while the core is idle.
  input  logic                                cfg_valid_i,     // write cfg_wdata_i this cycle
  input  cfg_target_e                         cfg_target_i,    // the table written
  input  logic [CfgAddrWidth-1:0]             cfg_addr_i,      // the entry's index in it
  input  logic [CfgDataWidth-1:0]             cfg_wdata_i,     // the entry (engram_isa_pkg format, LSB aligned)

  // Commands (taken when idle; priority clear_i, then in_valid_i, then start_i).
  input  logic                                clear_i,         // zero all accumulator slots of the configured neurons
  input  logic                                start_i,         // run the neuron update of step step_i
  input  logic [AerPacketTimestampWidth-1:0]  step_i,          // the step (mod 4096) start_i runs
  output logic                                busy_o,          // clearing, delivering or updating

  // Ingress: one input event (a packet already mapped to its input axon).
  input  logic                                in_valid_i,      // an event is presented
  output logic                                in_ready_o,      // the core takes it in this cycle
  input  logic [AxonIdxWidth-1:0]             in_axon_i,       // its input axon
  input  logic [AerPacketTimestampWidth-1:0]  in_time_i,       // its emission step (the packet's timestamp)

  // Egress and observation, registered: valid in the cycle after the update.
  output logic                                spike_valid_o,   // spike_neuron_o spiked in step step_i
  output logic [NeuronIdxWidth-1:0]           spike_neuron_o,  // a spiking neuron, ascending within a step
  output logic                                obs_valid_o,     // obs_state_o holds neuron obs_neuron_o's registers
  output logic [NeuronIdxWidth-1:0]           obs_neuron_o,    // neuron just updated
  output neuron_state_t                       obs_state_o,     // its registers after the step
  output logic                                done_o           // one cycle: the update of step_i is complete
);

  // --- Derived widths ---------------------------------------------------------
  localparam int unsigned NeuronIdxWidth  = $clog2(NumNeurons);
  localparam int unsigned NeuronCntWidth  = NeuronIdxWidth + 1;
  localparam int unsigned ProfileIdxWidth = $clog2(NumProfiles);
  localparam int unsigned AxonIdxWidth    = $clog2(NumAxons);
  localparam int unsigned SynIdxWidth     = $clog2(NumSynWords);
  localparam int unsigned SlotWidth       = $clog2(NumSlots);
  localparam int unsigned AccIdxWidth     = SlotWidth + 1 + NeuronIdxWidth;  // {slot, receptor, neuron}
  localparam int unsigned RowEndWidth     = AxonEntryRowBaseWidth + 1;       // row_base + row_len
  localparam int unsigned ShiftWidth      = 4;                               // WeightShift + weight_exp: 0..13
  localparam int unsigned TraceIdxWidth   = NeuronConfigPostTraceProfileWidth + 2;
  localparam int unsigned CfgAddrWidth    = AxonEntryRowBaseWidth;           // the largest table: synapse memory
  localparam int unsigned SumWidth        = StateWidth + 3;

  if (NumNeurons < 2 || NumNeurons > (1 << SynapseWordTargetWidth) ||
      (1 << NeuronIdxWidth) != NumNeurons) begin : g_bad_neurons
    $error("NumNeurons must be a power of two in 2..4096");
  end
  if (NumSlots < 2 || NumSlots > 64 || (1 << SlotWidth) != NumSlots) begin : g_bad_slots
    $error("NumSlots must be a power of two in 2..64");
  end
  if (NumProfiles < 2 || NumAxons < 2 || NumSynWords < 2 ||
      NumSynWords > (1 << AxonEntryRowBaseWidth)) begin : g_bad_tables
    $error("table sizes out of range");
  end

  typedef enum logic [1:0] {
    StIdle,
    StClear,
    StDeliver,
    StUpdate
  } state_e;

  // --- Tables (configuration, written by the load port) -----------------------
  neuron_config_t              profile_q    [NumProfiles];
  trace_config_t               post_trace_q [1 << TraceIdxWidth];
  logic [ProfileIdxWidth-1:0]  profile_of_q [NumNeurons];
  logic                        lif_q        [NumNeurons];
  axon_entry_t                 axon_q       [NumAxons];
  logic [SynapseWordWidth-1:0] syn_mem_q    [NumSynWords];
  logic [NeuronCntWidth-1:0]   count_q;

  // --- Dynamic state -------------------------------------------------------------
  neuron_state_t                state_q [NumNeurons];
  logic signed [StateWidth-1:0] acc_q   [1 << AccIdxWidth];

  // --- Control registers -----------------------------------------------------------
  state_e                      st_q, st_d;
  logic [NeuronIdxWidth-1:0]   neuron_q, neuron_d;      // update and clear: current neuron
  logic [SlotWidth:0]          clr_slot_q, clr_slot_d;  // clear: {slot, receptor}
  logic [SlotWidth-1:0]        slot_q, slot_d;          // update: consumed slot; deliver: emission step
  logic [RowEndWidth-1:0]      ptr_q, ptr_d;            // deliver: next synapse-memory word
  logic [RowEndWidth-1:0]      end_q, end_d;            // deliver: end of the row
  logic [ShiftWidth-1:0]       shift_q, shift_d;        // deliver: WeightShift + weight_exp

  logic                        spike_valid_q, spike_valid_d;
  logic                        obs_valid_q, obs_valid_d;
  logic [NeuronIdxWidth-1:0]   obs_neuron_q, obs_neuron_d;
  neuron_state_t               obs_state_q, obs_state_d;
  logic                        done_q, done_d;

  // --- Ingress datapath: one synapse per cycle (numerics §5) -------------------
  axon_entry_t                  in_axon;
  synapse_word_t                syn;
  logic signed [StateWidth-1:0] syn_in;
  logic [SlotWidth-1:0]         syn_slot;
  logic [AccIdxWidth-1:0]       syn_acc_idx;
  logic signed [StateWidth-1:0] syn_acc_sum;
  logic [RowEndWidth-1:0]       ptr_next;
  logic                         take_event;

  assign in_axon     = axon_q[in_axon_i];
  assign syn         = synapse_word_t'(syn_mem_q[ptr_q[SynIdxWidth-1:0]]);
  assign syn_in      = StateWidth'(syn.weight) <<< shift_q;
  assign syn_slot    = SlotWidth'(slot_q + SlotWidth'(syn.delay));
  assign syn_acc_idx = {syn_slot, syn.receptor == ReceptorKindInhibitory,
                        syn.target[NeuronIdxWidth-1:0]};
  assign syn_acc_sum = sat_state(SumWidth'(acc_q[syn_acc_idx]) + SumWidth'(syn_in));
  // A plastic synapse's PlasticWord follows it: skip it.
  assign ptr_next    = ptr_q + (syn.plastic ? RowEndWidth'(2) : RowEndWidth'(1));
  assign take_event  = st_q == StIdle && !clear_i && in_valid_i;

  // --- Update datapath: one neuron per cycle (numerics §6, §7) --------------------
  logic [AccIdxWidth-1:0]       upd_exc_idx, upd_inh_idx;
  neuron_config_t               upd_config;
  trace_config_t [2:0]          upd_post_trace;
  neuron_state_t                upd_state;
  logic                         upd_spike;

  assign upd_exc_idx = {slot_q, 1'b0, neuron_q};
  assign upd_inh_idx = {slot_q, 1'b1, neuron_q};
  assign upd_config  = profile_q[profile_of_q[neuron_q]];
  for (genvar i = 0; i < 3; i++) begin : g_post_trace
    assign upd_post_trace[i] = post_trace_q[{upd_config.post_trace_profile, 2'(i)}];
  end

  engram_neuron_update u_update (
    .state_i      (state_q[neuron_q]),
    .config_i     (upd_config),
    .post_trace_i (upd_post_trace),
    .in_exc_i     (acc_q[upd_exc_idx]),
    .in_inh_i     (acc_q[upd_inh_idx]),
    .lif_i        (lif_q[neuron_q]),
    .state_o      (upd_state),
    .spike_o      (upd_spike)
  );

  logic last_neuron;
  assign last_neuron = NeuronCntWidth'(neuron_q) + 1'b1 >= count_q;

  // --- Control ------------------------------------------------------------------------
  always_comb begin
    st_d          = st_q;
    neuron_d      = neuron_q;
    clr_slot_d    = clr_slot_q;
    slot_d        = slot_q;
    ptr_d         = ptr_q;
    end_d         = end_q;
    shift_d       = shift_q;
    spike_valid_d = 1'b0;
    obs_valid_d   = 1'b0;
    obs_neuron_d  = obs_neuron_q;
    obs_state_d   = obs_state_q;
    done_d        = 1'b0;

    unique case (st_q)
      StIdle: begin
        if (clear_i) begin
          if (count_q != '0) begin
            st_d       = StClear;
            neuron_d   = '0;
            clr_slot_d = '0;
          end
        end else if (in_valid_i) begin
          // Modulator axons carry no synapses; empty rows cost the lookup only.
          if (!in_axon.modulator && in_axon.row_len != '0) begin
            st_d    = StDeliver;
            ptr_d   = RowEndWidth'(in_axon.row_base);
            end_d   = RowEndWidth'(in_axon.row_base) + RowEndWidth'(in_axon.row_len);
            shift_d = ShiftWidth'(WeightShift) + ShiftWidth'(in_axon.weight_exp);
            slot_d  = SlotWidth'(in_time_i);
          end
        end else if (start_i) begin
          if (count_q == '0) begin
            done_d = 1'b1;
          end else begin
            st_d     = StUpdate;
            neuron_d = '0;
            slot_d   = SlotWidth'(step_i);
          end
        end
      end
      StClear: begin
        if (last_neuron) begin
          neuron_d   = '0;
          clr_slot_d = clr_slot_q + 1'b1;
          if (clr_slot_q == '1) begin
            st_d = StIdle;
          end
        end else begin
          neuron_d = neuron_q + 1'b1;
        end
      end
      StDeliver: begin
        ptr_d = ptr_next;
        if (ptr_next >= end_q) begin
          st_d = StIdle;
        end
      end
      StUpdate: begin
        spike_valid_d = upd_spike;
        obs_valid_d   = 1'b1;
        obs_neuron_d  = neuron_q;
        obs_state_d   = upd_state;
        if (last_neuron) begin
          st_d   = StIdle;
          done_d = 1'b1;
        end else begin
          neuron_d = neuron_q + 1'b1;
        end
      end
      default: st_d = StIdle;
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q          <= StIdle;
      neuron_q      <= '0;
      clr_slot_q    <= '0;
      slot_q        <= '0;
      ptr_q         <= '0;
      end_q         <= '0;
      shift_q       <= '0;
      spike_valid_q <= 1'b0;
      obs_valid_q   <= 1'b0;
      obs_neuron_q  <= '0;
      obs_state_q   <= '0;
      done_q        <= 1'b0;
    end else begin
      st_q          <= st_d;
      neuron_q      <= neuron_d;
      clr_slot_q    <= clr_slot_d;
      slot_q        <= slot_d;
      ptr_q         <= ptr_d;
      end_q         <= end_d;
      shift_q       <= shift_d;
      spike_valid_q <= spike_valid_d;
      obs_valid_q   <= obs_valid_d;
      obs_neuron_q  <= obs_neuron_d;
      obs_state_q   <= obs_state_d;
      done_q        <= done_d;
    end
  end

  // --- Memories: configuration writes, accumulators, neuron state -----------------
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      count_q <= '0;
    end else if (cfg_valid_i && cfg_target_i == CfgNeuronCount) begin
      count_q <= NeuronCntWidth'(cfg_wdata_i);
    end
  end

  always_ff @(posedge clk_i) begin
    if (cfg_valid_i) begin
      unique case (cfg_target_i)
        CfgProfile:   profile_q[cfg_addr_i[ProfileIdxWidth-1:0]] <= neuron_config_t'(cfg_wdata_i);
        CfgNeuron:    state_q[cfg_addr_i[NeuronIdxWidth-1:0]]    <= neuron_state_t'(cfg_wdata_i);
        CfgNeuronMap: begin
          profile_of_q[cfg_addr_i[NeuronIdxWidth-1:0]] <= cfg_wdata_i[ProfileIdxWidth-1:0];
          lif_q[cfg_addr_i[NeuronIdxWidth-1:0]]        <= cfg_wdata_i[16];
        end
        CfgAxon:      axon_q[cfg_addr_i[AxonIdxWidth-1:0]]      <= axon_entry_t'(cfg_wdata_i[AxonEntryWidth-1:0]);
        CfgSynapse:   syn_mem_q[cfg_addr_i[SynIdxWidth-1:0]]    <= cfg_wdata_i[SynapseWordWidth-1:0];
        CfgPostTrace: post_trace_q[cfg_addr_i[TraceIdxWidth-1:0]] <=
                          trace_config_t'(cfg_wdata_i[TraceConfigWidth-1:0]);
        default: ;
      endcase
    end
    unique case (st_q)
      StClear:   acc_q[{clr_slot_q, neuron_q}] <= '0;
      StDeliver: acc_q[syn_acc_idx] <= syn_acc_sum;
      StUpdate: begin
        acc_q[upd_exc_idx] <= '0;
        acc_q[upd_inh_idx] <= '0;
        state_q[neuron_q]  <= upd_state;
      end
      default: ;
    endcase
  end

  // --- Outputs ------------------------------------------------------------------------
  assign busy_o         = st_q != StIdle;
  assign in_ready_o     = take_event;
  assign spike_valid_o  = spike_valid_q;
  assign spike_neuron_o = obs_neuron_q;
  assign obs_valid_o    = obs_valid_q;
  assign obs_neuron_o   = obs_neuron_q;
  assign obs_state_o    = obs_state_q;
  assign done_o         = done_q;

  // Bits this stage does not read: high address and data bits of the load
  // port, step bits above the slot index, and the learning and modulator
  // fields of the tables (a later stage's).
  logic unused_bits;
  assign unused_bits = ^{cfg_addr_i, cfg_wdata_i, step_i, in_time_i, in_axon, syn};

endmodule
