// engram-tblgen: turns the Engram ISA (isa/td/engram.td) into a C++ header
// or a SystemVerilog package. The options -o, -d, -I and --write-if-changed
// come from llvm::TableGenMain.
#include <llvm/Support/CommandLine.h>
#include <llvm/Support/InitLLVM.h>
#include <llvm/TableGen/Main.h>
#include <llvm/TableGen/Record.h>

#include "emitters.hpp"

namespace {

enum class generator { cpp_header, sv_package };

llvm::cl::opt<generator> action(
    llvm::cl::desc("What to generate:"), llvm::cl::Required,
    llvm::cl::values(clEnumValN(generator::cpp_header, "gen-cpp-header",
                                "C++ header (engram/isa/formats.hpp)"),
                     clEnumValN(generator::sv_package, "gen-sv-package",
                                "SystemVerilog package (engram_isa_pkg.sv)")));

bool run(llvm::raw_ostream& os, llvm::RecordKeeper& records) {
  switch (action) {
    case generator::cpp_header:
      return engram::tblgen::emit_cpp_header(os, records);
    case generator::sv_package:
      return engram::tblgen::emit_sv_package(os, records);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  llvm::InitLLVM init(argc, argv);
  llvm::cl::ParseCommandLineOptions(argc, argv,
                                    "engram-tblgen: generate the Engram ISA's C++ header "
                                    "or SystemVerilog package\n");
  return llvm::TableGenMain(argv[0], &run);
}
