# otter_idf_sources(VERSION TOP SRCS INCS PRIV): the ESP-IDF sources that
# build for the linux target, and their public and private include folders,
# as listed in ESP-IDF-HOST.md ("Source files that built", "Include
# directories"). TOP is the unpacked esp-idf-vX.Y.Z folder.
function(otter_idf_sources version top out_srcs out_incs out_priv)
  set(C ${top}/components)
  set(srcs
    freertos/heap_idf.c
    freertos/FreeRTOS-Kernel/list.c freertos/FreeRTOS-Kernel/queue.c freertos/FreeRTOS-Kernel/tasks.c
    freertos/FreeRTOS-Kernel/timers.c freertos/FreeRTOS-Kernel/event_groups.c
    freertos/FreeRTOS-Kernel/stream_buffer.c
    freertos/FreeRTOS-Kernel/portable/linux/port.c freertos/FreeRTOS-Kernel/portable/linux/port_idf.c
    freertos/FreeRTOS-Kernel/portable/linux/utils/wait_for_event.c
    freertos/esp_additions/idf_additions.c freertos/esp_additions/idf_additions_event_groups.c
    freertos/esp_additions/FreeRTOSSimulator_wrappers.c
    log/src/log.c log/src/log_print.c log/src/log_format_text.c log/src/util.c log/src/log_timestamp_common.c
    log/src/linux/log_timestamp.c log/src/linux/log_lock.c log/src/linux/util.c log/src/buffer/log_buffers.c
    log/src/os/log_write.c log/src/log_level/log_level.c log/src/log_level/tag_log_level/tag_log_level.c
    log/src/log_level/tag_log_level/linked_list/log_linked_list.c
    log/src/log_level/tag_log_level/cache/log_binary_heap.c
    esp_system/esp_system.c esp_system/esp_err.c esp_system/port/esp_system_linux.c
    esp_system/port/soc/linux/reset_reason.c esp_system/port/soc/linux/system_internal.c
    esp_common/src/esp_err_to_name.c
    esp_rom/patches/esp_rom_sys.c esp_rom/patches/esp_rom_print.c esp_rom/linux/esp_rom_sys.c
    esp_rom/linux/esp_rom_crc.c esp_rom/linux/esp_rom_md5.c esp_rom/linux/esp_rom_efuse.c
    heap/heap_caps_linux.c esp_hw_support/port/linux/esp_random.c esp_hw_support/port/linux/chip_info.c
    hal/efuse_hal.c hal/linux/efuse_hal.c linux/fls.c
    esp_partition/partition.c esp_partition/partition_linux.c
    spi_flash/linux/spi_flash_linux.c spi_flash/linux/cache_utils.c spi_flash/linux/flash_mmap.c
    app_update/esp_ota_ops.c esp_app_format/esp_app_desc.c
    bootloader_support/src/esp_image_format.c bootloader_support/src/bootloader_common_loader.c
    bootloader_support/src/bootloader_sha.c bootloader_support/src/flash_partitions.c)
  if(version VERSION_LESS 6)
    list(APPEND srcs app_update/esp_ota_app_desc.c freertos/esp_additions/freertos_compatibility.c)
  endif()
  list(TRANSFORM srcs PREPEND ${C}/)

  set(incs
    freertos/config/include freertos/config/include/freertos freertos/config/linux/include
    freertos/FreeRTOS-Kernel/include freertos/FreeRTOS-Kernel/portable/linux/include
    freertos/FreeRTOS-Kernel/portable/linux/include/freertos freertos/esp_additions/include
    esp_hw_support/include heap/include log/include soc/include soc/linux/include
    hal/platform_port/include hal/linux/include hal/include esp_rom/include esp_rom/linux/include
    esp_rom/linux/include/linux esp_rom/linux esp_common/include esp_system/include linux/include
    linux/linux_include esp_partition/include spi_flash/include efuse/include efuse/linux/include
    esp_app_format/include esp_bootloader_format/include bootloader_support/include
    bootloader_support/bootloader_flash/include app_update/include)
  if(NOT version VERSION_LESS 6)
    list(APPEND incs esp_blockdev/include esp_hal_mspi/include)
  endif()
  list(TRANSFORM incs PREPEND ${C}/)

  set(priv
    freertos/FreeRTOS-Kernel/include/freertos freertos/FreeRTOS-Kernel/portable/linux freertos/esp_additions
    log/include/esp_private bootloader_support/private_include)
  list(TRANSFORM priv PREPEND ${C}/)

  set(${out_srcs} ${srcs} PARENT_SCOPE)
  set(${out_incs} ${incs} PARENT_SCOPE)
  set(${out_priv} ${priv} PARENT_SCOPE)
endfunction()
