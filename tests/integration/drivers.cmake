# drivers.cmake - C programs the integration tests run (include from
# tests/integration/CMakeLists.txt). store_driver drives extractd/store.c
# with real extraction and PostgreSQL, no ZeroMQ.
add_executable(store_driver ${CMAKE_CURRENT_LIST_DIR}/store_driver.c
               ${CMAKE_SOURCE_DIR}/extractd/store.c
               ${CMAKE_SOURCE_DIR}/extractd/store_migrate.c)
target_include_directories(store_driver PRIVATE ${CMAKE_SOURCE_DIR}/extractd)
target_link_libraries(store_driver PRIVATE extload common
                      PostgreSQL::PostgreSQL)
