# otter as an ESP-IDF component. The repository's top CMakeLists.txt includes
# this file when ESP-IDF builds it (ESP_PLATFORM set) and returns, so a
# project adds otter with `idf.py add-dependency` (idf_component.yml at the
# top) or EXTRA_COMPONENT_DIRS pointing at a checkout; otherwise the top
# CMakeLists.txt is the plain CMake build of the library, CLI and tests.
#
# What goes into the component: the portable core (src/), the ESP-IDF port
# (ports/esp-idf/src/), public headers include/ and ports/esp-idf/include/.
# Not the POSIX port, host helpers, CLI or tests. Options: Kconfig at the top
# (menuconfig "Component config -> otter").
set(_otter ${CMAKE_CURRENT_LIST_DIR}/../..)
file(GLOB _otter_core ${_otter}/src/*.c)
set(_otter_port
    ${_otter}/ports/esp-idf/src/esp_flash_port.c
    ${_otter}/ports/esp-idf/src/esp_tcp.c
    ${_otter}/ports/esp-idf/src/esp_clock.c
    ${_otter}/ports/esp-idf/src/esp_ota.c
    ${_otter}/ports/esp-idf/src/esp_ota_task.c
    ${_otter}/ports/esp-idf/src/esp_err_map.c)
# esp_event posting, or the file that does nothing (one feature, one file)
if(CONFIG_OTTER_ESP_EVENT)
  list(APPEND _otter_port ${_otter}/ports/esp-idf/src/esp_events.c)
else()
  list(APPEND _otter_port ${_otter}/ports/esp-idf/src/esp_events_none.c)
endif()

idf_component_register(
  SRCS ${_otter_core} ${_otter_port}
  INCLUDE_DIRS ${_otter}/include ${_otter}/ports/esp-idf/include
  PRIV_INCLUDE_DIRS ${_otter}/src ${_otter}/ports/esp-idf/src
  REQUIRES esp_partition app_update esp_event mbedtls
  PRIV_REQUIRES esp_timer esp_hw_support freertos log lwip spi_flash bootloader_support)

if(CONFIG_OTTER_HTTP_URL_MAX)
  target_compile_definitions(${COMPONENT_LIB} PUBLIC OTTER_HTTP_URL_MAX=${CONFIG_OTTER_HTTP_URL_MAX})
endif()
if(DEFINED CONFIG_OTTER_ERROR_TEXTS AND NOT CONFIG_OTTER_ERROR_TEXTS)
  target_compile_definitions(${COMPONENT_LIB} PUBLIC OTTER_ERROR_TEXTS=0)
endif()
if(CONFIG_OTTER_PT_MAX_ENTRIES)
  target_compile_definitions(${COMPONENT_LIB} PUBLIC OTTER_PT_MAX_ENTRIES=${CONFIG_OTTER_PT_MAX_ENTRIES})
endif()
