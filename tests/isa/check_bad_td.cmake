# cmake -DTBLGEN=<engram-tblgen> -DTD=<bad.td> -DINCLUDE_DIR=<isa/td> -P check_bad_td.cmake
#
# Passes when engram-tblgen rejects TD with every generator: a non-zero exit
# code and an error at `<name>.td:<line>:`, where <line> is the line of TD that
# carries `// expect-error: <text>`, and <text> in the error message.

foreach(var TBLGEN TD INCLUDE_DIR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_bad_td.cmake: -D${var}=... is required")
  endif()
endforeach()

file(READ ${TD} source)
string(FIND "${source}" "// expect-error:" marker)
if(marker EQUAL -1)
  message(FATAL_ERROR "${TD}: no `// expect-error: <text>` marker")
endif()
string(SUBSTRING "${source}" 0 ${marker} before)
string(REGEX MATCHALL "\n" newlines "${before}")
list(LENGTH newlines line)
math(EXPR line "${line} + 1")
string(SUBSTRING "${source}" ${marker} -1 after)
string(REGEX MATCH "// expect-error: ([^\n]*)" _ "${after}")
string(STRIP "${CMAKE_MATCH_1}" expected)

get_filename_component(name ${TD} NAME)
string(REPLACE "." "\\." name_regex "${name}")
foreach(generator --gen-cpp-header --gen-sv-package)
  execute_process(
    COMMAND ${TBLGEN} ${generator} -I ${INCLUDE_DIR} -o /dev/null ${TD}
    RESULT_VARIABLE status
    OUTPUT_VARIABLE output
    ERROR_VARIABLE output)
  message(STATUS "engram-tblgen ${generator} ${name} exited with ${status}:\n${output}")
  if(status EQUAL 0)
    message(FATAL_ERROR "engram-tblgen ${generator} accepted ${name}")
  endif()
  string(REGEX MATCH "${name_regex}:${line}:[0-9]+: error: [^\n]*" error_line "${output}")
  if(NOT error_line)
    message(FATAL_ERROR "expected an error at ${name}:${line}")
  endif()
  string(FIND "${error_line}" "${expected}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "expected '${expected}' in: ${error_line}")
  endif()
endforeach()
