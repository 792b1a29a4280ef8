/* The few Arduino calls the sketch uses, as C functions (Serial.println ->
 * Serial_println, WiFi.begin -> WiFi_begin, ...). linux_main.c implements
 * them for the Linux build; on a device they map to the real Arduino API. */
#ifndef ARDUINO_SHIM_H
#define ARDUINO_SHIM_H

#include <stdint.h>

#define WL_CONNECTED 3

void Serial_begin(unsigned long baud);
void Serial_print(const char *s);
void Serial_println(const char *s);
void Serial_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void WiFi_begin(const char *ssid, const char *password);
int WiFi_status(void);
void delay(uint32_t ms);

/* The sketch's entry points. */
void setup(void);
void loop(void);

#endif
