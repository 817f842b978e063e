# Test tools: include(tools.cmake) from tests/integration/CMakeLists.txt.
# zsend: a raw ZeroMQ client (python3 has no ZeroMQ binding here), built
# into the top of the build tree where the tests look for programs.
add_executable(zsend ${CMAKE_CURRENT_LIST_DIR}/zsend.c)
target_link_libraries(zsend PRIVATE common)
set_target_properties(zsend PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
