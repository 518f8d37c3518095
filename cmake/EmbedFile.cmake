# Writes a C++ source that holds a file's bytes (cmake -P, run at build time):
#   cmake -DINPUT=file -DOUTPUT=file.cpp -DSYMBOL=name -P EmbedFile.cmake
# defines `std::string_view llmsim::embedded::SYMBOL()` returning the bytes, so a program carries
# the file (a vendored chart library for the HTML report) and works from any directory.
file(READ "${INPUT}" hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE "${OUTPUT}"
  "// Generated from ${INPUT} by cmake/EmbedFile.cmake; do not edit.\n"
  "#include <string_view>\n"
  "namespace llmsim::embedded {\n"
  "namespace { constexpr char kBytes[] = {${bytes}'\\0'}; }\n"
  "std::string_view ${SYMBOL}() { return {kBytes, ${size}}; }\n"
  "}  // namespace llmsim::embedded\n")
