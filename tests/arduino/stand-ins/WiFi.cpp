#include "WiFi.h"

WiFiClass WiFi;

int WiFiClass::begin(const char *ssid, const char *password)
{
    (void)ssid;
    (void)password;
    begun_ = true;
    return WL_DISCONNECTED;
}

wl_status_t WiFiClass::status()
{
    return begun_ && ++polls_ >= 2 ? WL_CONNECTED : WL_DISCONNECTED;
}
