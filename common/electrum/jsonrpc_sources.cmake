# Sources of eo_jsonrpc, listed once: common/electrum builds the library from them and tests/fuzz
# compiles them again with sanitizer and fuzzer instrumentation.
set(EO_JSONRPC_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/line_framer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/message.cpp
  ${CMAKE_CURRENT_LIST_DIR}/request.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shape.cpp)
