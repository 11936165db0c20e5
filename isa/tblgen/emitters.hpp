// The generators of engram-tblgen. Each parses and verifies the records
// (parse_isa) and writes one file; each returns false on success, as
// llvm::TableGenMain expects.
#pragma once

namespace llvm {
class raw_ostream;
class RecordKeeper;
}  // namespace llvm

namespace engram::tblgen {

/// include/engram/isa/formats.hpp: structs, pack/unpack, field tables, enums.
bool emit_cpp_header(llvm::raw_ostream& os, const llvm::RecordKeeper& records);

/// rtl/engram_isa_pkg.sv: package engram_isa_pkg in the style of ibex_pkg.sv.
bool emit_sv_package(llvm::raw_ostream& os, const llvm::RecordKeeper& records);

}  // namespace engram::tblgen
