// otter: an HTTPS update that installs only images signed with your Secure
// Boot V2 key, and a new app that confirms itself after a self-test (else
// the bootloader goes back to the previous app at the next reset).
//
// Sign the image: otter keygen --type ecdsa-p256 --out key.pem   (prints the key digest)
//                 otter sign --key key.pem app.bin --out app-signed.bin
// Root to pin:    otter cert https://your.server/ --format c
// Partition scheme: any with two OTA slots (e.g. "Minimal SPIFFS").
#include <WiFi.h>
#include <OtterHttpsOTA.h>

const char *ssid = "your-ssid";
const char *password = "your-password";
const char *url = "https://example.com/firmware-signed.bin";
const char *server_certificate = "-----BEGIN CERTIFICATE-----\n"
                                 "...paste the root here (otter cert URL --format c)...\n"
                                 "-----END CERTIFICATE-----";
// The key digest `otter keygen` printed (64 hex digits): only images with a
// valid signature by this key are installed.
const char *signing_key_digest = "0000000000000000000000000000000000000000000000000000000000000000";

// Arduino-ESP32 (with rollback enabled in its bootloader) confirms a new app
// before setup() unless this returns true: here the self-test below decides.
bool verifyRollbackLater() {
  return true;
}

// What "this firmware works" means for your device: here, the WiFi connects.
static bool selfTest() {
  return WiFi.status() == WL_CONNECTED;
}

void setup() {
  Serial.begin(115200);
  WiFi.begin(ssid, password);
  for (int i = 0; i < 40 && WiFi.status() != WL_CONNECTED; i++) delay(500);

  if (OtterHttpsOTA::appPendingVerify()) {  // first boot after an update
    if (selfTest() && OtterHttpsOTA::markAppValid()) {
      Serial.println("New firmware confirmed");
    } else {
      Serial.println("Self-test failed: going back to the previous firmware");
      OtterHttpsOTA::markAppInvalid();
      ESP.restart();
    }
  }
  if (WiFi.status() != WL_CONNECTED) return;

  HttpsOTA.setSigningKeyDigest(signing_key_digest);
  HttpsOTA.begin(url, server_certificate);
  Serial.println("Checking for an update ...");
}

void loop() {
  static HttpsOTAStatus_t last = HTTPS_OTA_IDLE;
  HttpsOTAStatus_t s = HttpsOTA.status();
  if (s == HTTPS_OTA_UPDATING && HttpsOTA.totalBytes())
    Serial.printf("%u / %u bytes\n", (unsigned)HttpsOTA.bytesWritten(), (unsigned)HttpsOTA.totalBytes());
  if (s != last) {
    last = s;
    if (s == HTTPS_OTA_SUCCESS) {
      Serial.printf("Firmware %s written, signature checked. Restarting\n", HttpsOTA.newVersion());
      ESP.restart();
    } else if (s == HTTPS_OTA_FAIL || s == HTTPS_OTA_ERR) {
      Serial.println("Firmware Upgrade Fail");
      Serial.println(HttpsOTA.lastError());
    }
  }
  delay(1000);  // the update runs in its own task: this does not slow it
}
