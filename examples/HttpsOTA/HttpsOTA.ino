// This sketch provide the functionality of OTA Firmware Upgrade
// (the forum user's sketch: Arduino-ESP32's HTTPS_OTA_Update example, on
// otter. Every change is marked "otter:"; nothing else differs.)
#include "WiFi.h"
#include "OtterHttpsOTA.h"  // otter: was #include "HttpsOTAUpdate.h"
// This sketch shows how to implement HTTPS firmware update Over The Air.
// Please provide your WiFi credentials, https URL to the firmware image and the server certificate.

const char *ssid = "your-ssid";          // your network SSID (name of wifi network)
const char *password = "your-password";  // your network password

const char *url = "https://example.com/firmware.bin";  //state url of your firmware image

// otter: pin a ROOT here, not an intermediate (the forum user pinned Let's
// Encrypt's R3, which rotated and expired). `otter cert https://your.server/
// --format c` prints the right one ready to paste; several certificates may
// be concatenated (the current root and its successor).
const char *server_certificate = "-----BEGIN CERTIFICATE-----\n"
                                 "...paste the root here (otter cert URL --format c)...\n"
                                 "-----END CERTIFICATE-----";

static HttpsOTAStatus_t otastatus;

void HttpEvent(HttpEvent_t *event) {
  switch (event->event_id) {
    case HTTP_EVENT_ERROR:        Serial.println("Http Event Error"); break;
    case HTTP_EVENT_ON_CONNECTED: Serial.println("Http Event On Connected"); break;
    case HTTP_EVENT_HEADER_SENT:  Serial.println("Http Event Header Sent"); break;
    case HTTP_EVENT_ON_HEADER:    Serial.printf("Http Event On Header, key=%s, value=%s\n", event->header_key, event->header_value); break;
    case HTTP_EVENT_ON_DATA:      break;
    case HTTP_EVENT_ON_FINISH:    Serial.println("Http Event On Finish"); break;
    case HTTP_EVENT_DISCONNECTED: Serial.println("Http Event Disconnected"); break;
    default:                      break;  // otter: HTTP_EVENT_REDIRECT exists in ESP-IDF 5 too
  }
}

void setup() {

  Serial.begin(115200);
  Serial.print("Attempting to connect to SSID: ");
  WiFi.begin(ssid, password);

  // attempt to connect to Wifi network:
  while (WiFi.status() != WL_CONNECTED) {
    Serial.print(".");
    delay(1000);
  }

  Serial.print("Connected to ");
  Serial.println(ssid);

  HttpsOTA.onHttpEvent(HttpEvent);
  Serial.println("Starting OTA");
  // otter: the third argument, skip_cert_common_name_check, now defaults to
  // false: the server's certificate must name the URL's host.
  HttpsOTA.begin(url, server_certificate);

  Serial.println("Please Wait it takes some time ...");
}

void loop() {
  otastatus = HttpsOTA.status();
  if (otastatus == HTTPS_OTA_SUCCESS) {
    Serial.println("Firmware written successfully. To reboot device, call API ESP.restart() or PUSH restart button on device");
    // otter: the new app boots on probation; it must call
    // HttpsOTA.markAppValid() once it works (see examples/HttpsOTASigned),
    // else the bootloader goes back to this one.
  } else if (otastatus == HTTPS_OTA_FAIL) {
    Serial.println("Firmware Upgrade Fail");
    Serial.println(HttpsOTA.lastError());  // otter: why, and what to do
  }
  // The update runs in its own task: this delay does not slow it down.
  delay(1000);
}
