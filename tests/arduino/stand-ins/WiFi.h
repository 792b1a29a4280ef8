/* A WiFi stand-in for the sketch tests (tests/arduino): EpoxyDuino has no
 * WiFi. The host's network is "the WiFi": begin() connects at once, status()
 * says WL_CONNECTED from the second call on (so the sketch's wait loop runs
 * once). Only what the example sketches use. */
#ifndef OTTER_TEST_WIFI_H
#define OTTER_TEST_WIFI_H

typedef enum {
    WL_IDLE_STATUS = 0,
    WL_NO_SSID_AVAIL = 1,
    WL_CONNECTED = 3,
    WL_DISCONNECTED = 6,
} wl_status_t;

class WiFiClass {
  public:
    int begin(const char *ssid, const char *password);
    wl_status_t status();

  private:
    int polls_ = 0;
    bool begun_ = false;
};

extern WiFiClass WiFi;

#endif
