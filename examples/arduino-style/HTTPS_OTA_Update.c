// This sketch provide the functionality of OTA Firmware Upgrade
// (the forum user's sketch, from Arduino-ESP32's HTTPS_OTA_Update example,
// ported line for line to otter's C facade; see README.md here).
#include "arduino_shim.h"    // was: #include "WiFi.h"
#include "otter/https_ota.h" // was: #include "HttpsOTAUpdate.h"
// This sketch shows how to implement HTTPS firmware update Over The Air.
// Please provide your WiFi credentials, https URL to the firmware image and the server certificate.

const char *ssid = "your-ssid";         // your network SSID (name of wifi network)
const char *password = "your-password"; // your network password

const char *url = "https://example.com/firmware.bin"; // state url of your firmware image

// The CA that issued the server's certificate chain, as PEM. Pin a ROOT, not
// an intermediate: the forum user pinned Let's Encrypt's R3, which rotated and
// whose issuer expired (`otter cert URL` prints the right one, ready to paste).
// Several certificates may be concatenated (e.g. the current root and its successor).
const char *server_certificate = "-----BEGIN CERTIFICATE-----\n"
                                 "...paste the root here (otter cert URL --format c)...\n"
                                 "-----END CERTIFICATE-----\n";

otter_https_ota_t HttpsOTA; // was: the global HttpsOTA object
static otter_https_ota_status_t otastatus;

void HttpEvent(otter_https_ota_event_t *event)
{
    switch (event->event_id) {
    case OTTER_HTTPS_OTA_EVENT_ERROR:
        Serial_println("Http Event Error");
        break;
    case OTTER_HTTPS_OTA_EVENT_ON_CONNECTED:
        Serial_println("Http Event On Connected");
        break;
    case OTTER_HTTPS_OTA_EVENT_HEADER_SENT:
        Serial_println("Http Event Header Sent");
        break;
    case OTTER_HTTPS_OTA_EVENT_ON_HEADER:
        Serial_printf("Http Event On Header, key=%s, value=%s\n", event->header_key, event->header_value);
        break;
    case OTTER_HTTPS_OTA_EVENT_ON_DATA:
        break;
    case OTTER_HTTPS_OTA_EVENT_ON_FINISH:
        Serial_println("Http Event On Finish");
        break;
    case OTTER_HTTPS_OTA_EVENT_DISCONNECTED:
        Serial_println("Http Event Disconnected");
        break;
    case OTTER_HTTPS_OTA_EVENT_REDIRECT:
        Serial_println("Http Event Redirect");
        break;
    }
}

void setup()
{
    Serial_begin(115200);
    Serial_print("Attempting to connect to SSID: ");
    WiFi_begin(ssid, password);

    // attempt to connect to Wifi network:
    while (WiFi_status() != WL_CONNECTED) {
        Serial_print(".");
        delay(1000);
    }

    Serial_print("Connected to ");
    Serial_println(ssid);

    otter_https_ota_on_http_event(&HttpsOTA, HttpEvent); // was: HttpsOTA.onHttpEvent(HttpEvent);
    Serial_println("Starting OTA");
    // was: HttpsOTA.begin(url, server_certificate); whose third argument,
    // skip_cert_common_name_check, defaulted to true. Here the host name is checked.
    otter_https_ota_begin(&HttpsOTA, url, server_certificate, false);

    Serial_println("Please Wait it takes some time ...");
}

void loop()
{
    otastatus = otter_https_ota_status(&HttpsOTA); // was: HttpsOTA.status(); here it also does the work
    if (otastatus == OTTER_HTTPS_OTA_SUCCESS) {
        Serial_println(
            "Firmware written successfully. To reboot device, call API ESP.restart() or PUSH restart button on device");
    } else if (otastatus == OTTER_HTTPS_OTA_FAIL) {
        Serial_println("Firmware Upgrade Fail");
    }
    delay(1000);
}
