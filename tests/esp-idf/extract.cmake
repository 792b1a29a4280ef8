# cmake -DTARBALL=... -DSHA256=... -DDEST=... -DTOP=... -DSTAMP=... [-DCHECK=...] -P extract.cmake
# Unpack an ESP-IDF host subset into DEST (replacing TOP) after checking its
# SHA-256 against the one ESP-IDF-HOST.md lists; write STAMP on success.
# CHECK: a file the tarball must have, relative to TOP (default ESP-IDF's
# esp_ota_ops.c; tests/arduino uses it for EpoxyDuino).
if(NOT CHECK)
  set(CHECK components/app_update/esp_ota_ops.c)
endif()
file(SHA256 ${TARBALL} _got)
if(NOT _got STREQUAL SHA256)
  message(FATAL_ERROR "${TARBALL}: SHA-256 ${_got}, expected ${SHA256} (see ESP-IDF-HOST.md)")
endif()
file(REMOVE_RECURSE ${TOP})
file(MAKE_DIRECTORY ${DEST})
file(ARCHIVE_EXTRACT INPUT ${TARBALL} DESTINATION ${DEST})
if(NOT EXISTS ${TOP}/${CHECK})
  message(FATAL_ERROR "${TARBALL}: no ${TOP}/${CHECK} after unpacking")
endif()
file(WRITE ${STAMP} "${SHA256}\n")
