// One microcode term of docs/numerics.md §8 for one synapse: three factors
// (an operand plus the signed constant, the constant alone, or 1), their
// 50-bit signed product, the scale 2^scale (a positive scale after clamping
// the product to ±2^31, a negative one rounding to nearest, ties away from
// zero), the optional negation and the saturation to 32 bits. Purely
// combinational: the learning engine evaluates one term per cycle.
//
// ENGRAM_MUTATE_LEARN_ROUND (a define) rounds ties toward zero instead of
// away from it (the rounding offset is 2^(k-1) - 1 instead of 2^(k-1)); only
// the co-simulation's mutation test builds it.

module engram_learning_term
  import engram_isa_pkg::*;
  import engram_core_pkg::*;
(
  input  logic                         valid_i,     // a term is evaluated in this cycle (else value_o is 0)
  input  learning_term_t               term_i,      // the microcode word
  input  learn_operands_t              operands_i,  // what the synapse's factors read
  output logic signed [TermWidth-1:0]  value_o      // the term: sat32(±scale(product))
);

  localparam int unsigned ClampWidth = TermWidth + 1;        // ±2^31
  localparam int unsigned QWidth     = ClampWidth + 31;      // 2^31 << 31 = 2^62, and its negation
  localparam int unsigned ScaleWidth = LearningTermScaleWidth;
  localparam int signed   ClampMax   = 32'h7fff_ffff;        // 2^31 - 1; the clamp bound is one above

  // factor(op, k) of numerics §8: exact in 18 bits.
  function automatic logic signed [FactorWidth-1:0] factor(learn_operand_e op,
                                                           logic signed [7:0] k,
                                                           learn_operands_t v);
    logic signed [FactorWidth-1:0] ke;
    ke = FactorWidth'(k);
    unique case (op)
      LearnOperandNone: return FactorWidth'(1);
      LearnOperandC:    return ke;
      LearnOperandX0:   return $signed(FactorWidth'(v.x0)) + ke;
      LearnOperandY0:   return $signed(FactorWidth'(v.y0)) + ke;
      LearnOperandR0:   return $signed(FactorWidth'(v.r0)) + ke;
      LearnOperandX1:   return $signed(FactorWidth'(v.x1)) + ke;
      LearnOperandX2:   return $signed(FactorWidth'(v.x2)) + ke;
      LearnOperandY1:   return $signed(FactorWidth'(v.y1)) + ke;
      LearnOperandY2:   return $signed(FactorWidth'(v.y2)) + ke;
      LearnOperandY3:   return $signed(FactorWidth'(v.y3)) + ke;
      LearnOperandR1:   return $signed(FactorWidth'(v.r1)) + ke;
      LearnOperandW:    return FactorWidth'(v.w) + ke;
      LearnOperandT:    return FactorWidth'(v.t) + ke;
      default:          return FactorWidth'(1);  // codes 13..15: not in the ISA (the image reader rejects them)
    endcase
  endfunction

  // Computed only while the engine evaluates a term (valid_i): otherwise
  // every intermediate stays zero (operand isolation), and a simulator
  // skips the datapath.
  logic signed [FactorWidth-1:0]   f0, f1, f2;
  logic signed [2*FactorWidth-1:0] p01;
  logic signed [ProductWidth-1:0]  p;        // exact: |p| < 2^49
  logic signed [ScaleWidth-1:0]    scale;
  logic [ScaleWidth-1:0]           shift_right;  // -scale: 1..32
  logic signed [ClampWidth-1:0]    p_clamped;
  logic [ProductWidth-1:0]         p_abs, half, p_rounded;
  logic signed [QWidth-1:0]        q, q_signed;

  always_comb begin
    f0          = '0;
    f1          = '0;
    f2          = '0;
    p01         = '0;
    p           = '0;
    scale       = '0;
    shift_right = '0;
    p_clamped   = '0;
    p_abs       = '0;
    half        = '0;
    p_rounded   = '0;
    q           = '0;
    q_signed    = '0;
    value_o     = '0;
    if (valid_i) begin
      f0  = factor(term_i.op0, term_i.const0, operands_i);
      f1  = factor(term_i.op1, term_i.const1, operands_i);
      f2  = factor(term_i.op2, term_i.const2, operands_i);
      p01 = f0 * f1;                                    // exact: 36 bits
      p   = ProductWidth'(p01) * ProductWidth'(f2);

      // Scale: q = clamp(p, ±2^31) << scale for scale >= 0 (the same sat32
      // result as the exact product), or round(p / 2^-scale) for scale < 0.
      scale = term_i.scale;
      if (!scale[ScaleWidth-1]) begin
        p_clamped = p > ProductWidth'(ClampMax) + ProductWidth'(1) ? ClampWidth'(ClampMax) + ClampWidth'(1) :
                    p < -(ProductWidth'(ClampMax) + ProductWidth'(1)) ? -(ClampWidth'(ClampMax) + ClampWidth'(1)) :
                    ClampWidth'(p);
        q = QWidth'(p_clamped) <<< scale[ScaleWidth-2:0];
      end else begin
        shift_right = ScaleWidth'(-scale);
        p_abs       = p[ProductWidth-1] ? ProductWidth'(-p) : ProductWidth'(p);
`ifdef ENGRAM_MUTATE_LEARN_ROUND
        half        = (ProductWidth'(1) << (shift_right - 1'b1)) - ProductWidth'(1);
`else
        half        = ProductWidth'(1) << (shift_right - 1'b1);
`endif
        p_rounded   = (p_abs + half) >> shift_right;  // p_abs + half < 2^50
        q = p[ProductWidth-1] ? -$signed(QWidth'(p_rounded)) : $signed(QWidth'(p_rounded));
      end
      q_signed = term_i.negate ? -q : q;
      if (q_signed > QWidth'(ClampMax)) begin
        value_o = TermWidth'(ClampMax);
      end else if (q_signed < -QWidth'(ClampMax) - QWidth'(1)) begin
        value_o = -TermWidth'(ClampMax) - TermWidth'(1);
      end else begin
        value_o = q_signed[TermWidth-1:0];
      end
    end
  end

  // The term's target and the rule-end mark are the engine's; unused bits.
  logic unused_term;
  assign unused_term = ^{term_i.unused, term_i.last, term_i.target};

endmodule
