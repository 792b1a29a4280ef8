/* bench/target/fw_device.c: the footprint firmware without the test
 * harness, for the code-size figure of a device: fw_app.c's update over the
 * same UART transport, clock and entropy (fw_port.c), and a flash port that
 * stands for the device's SPI flash driver (here a stub: this ELF is linked,
 * not run). What the running firmware (fw_update.c) links beyond this is the
 * harness's: the RAM flash simulator, the image maker that installs 1.0.0,
 * the bootloader simulation that checks the result, and the otter code only
 * they call. */
#include <time.h>

#include "fw_app.h"
#include "fw_port.h"
#include "otter/error.h"
#include "fp_ca.h"

static int spi_read(void *ctx, uint32_t addr, void *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return OTTER_ERR_IO;
}

static int spi_program(void *ctx, uint32_t addr, const void *buf, size_t len)
{
    (void)ctx, (void)addr, (void)buf, (void)len;
    return OTTER_ERR_IO;
}

static int spi_erase(void *ctx, uint32_t addr, size_t len)
{
    (void)ctx, (void)addr, (void)len;
    return OTTER_ERR_IO;
}

static void no_step(void *ctx, const otter_update_t *up)
{
    (void)ctx, (void)up;
}

int main(void)
{
    static const otter_flash_t flash = {spi_read, spi_program, spi_erase, 4u << 20, 4096, 65536, 256, 0xff, NULL};
    static char why[256];
    otter_transport_t tcp;
    otter_clock_t clock;
    fw_ports(&tcp, &clock);
    fw_rng_seed((uint32_t)time(NULL));
    fw_app_ports_t ports = {.flash = &flash,
                            .tcp = &tcp,
                            .clock = &clock,
                            .entropy = fw_entropy,
                            .running_slot = 0x10,
                            .ca = fp_ca_pem,
                            .ca_len = fp_ca_pem_len,
                            .on_step = no_step};
    return fw_app_update(&ports, "https://localhost/app-1.1.0.bin", why, sizeof why) == 0 ? 0 : 1;
}
