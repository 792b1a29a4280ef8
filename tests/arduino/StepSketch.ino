// Test sketch (not an example): the update stepped from loop(), no task,
// as a sketch that wants no FreeRTOS task of its own would run it.
#include <WiFi.h>
#include <OtterHttpsOTA.h>

const char *url = "https://example.com/firmware.bin";
const char *server_certificate = "";

void setup() {
  Serial.begin(115200);
  WiFi.begin("your-ssid", "your-password");
  HttpsOTA.beginSteps(url, server_certificate);
  Serial.println("Stepping from loop()");
}

void loop() {
  static unsigned long steps = 0;
  HttpsOTAStatus_t s = HttpsOTA.step();  // one bounded piece of work
  steps++;
  if (s == HTTPS_OTA_SUCCESS) {
    Serial.printf("Firmware %s written in %lu calls of step()\n", HttpsOTA.newVersion(), steps);
  } else if (s == HTTPS_OTA_FAIL || s == HTTPS_OTA_ERR) {
    Serial.println("Firmware Upgrade Fail");
    Serial.println(HttpsOTA.lastError());
  }
}
