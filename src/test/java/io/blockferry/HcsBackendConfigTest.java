package io.blockferry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.config.ConfigCheck;
import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.source.hcs.HcsSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An hcs backend's keys: checked with the rest, each missing one named with its fix, the password never shown. */
class HcsBackendConfigTest {

    private static final Path SHIPPED = Path.of("config/application.properties");
    private static final String SECRET = "s3cr3t-never-shown";

    private static Map<String, String> complete() {
        Map<String, String> k = new HashMap<>();
        String p = "blockferry.backends.dc1.";
        k.put(p + "type", "hcs");
        k.put(p + "iam-url", "https://iam-apigateway-proxy.sc-cd-1.example.com");
        k.put(p + "ecs-url", "https://ecs.sc-cd-1.example.com/");
        k.put(p + "evs-url", "https://evs.sc-cd-1.example.com");
        k.put(p + "dorado-url", "https://192.0.2.10:8088/deviceManager/rest");
        k.put(p + "domain", "tenant");
        k.put(p + "user", "blockferry");
        k.put(p + "password", SECRET);
        k.put(p + "project-id", "e38d227edcce4631be20bfa5aad7130b");
        k.put(p + "dorado-user", "blockferry");
        k.put(p + "dorado-password-file", "/etc/blockferry/dorado.password");
        k.put(p + "proxy-server-id", "4d8c3f1e-0000-4000-8000-000000000001");
        return k;
    }

    @Test
    void should_read_an_hcs_backend_with_the_defaults_and_never_show_its_password() {
        Settings settings = Settings.load(SHIPPED, complete());
        assertEquals(List.of(), ConfigCheck.of(settings).errors());
        HcsSettings hcs = SourceBackends.hcsSettings(settings, "dc1");
        assertEquals("https://ecs.sc-cd-1.example.com", hcs.ecsUrl().toString(), "a trailing slash is dropped");
        assertEquals(Path.of("/dev/disk/by-id"), hcs.deviceDir());
        assertEquals(HcsSettings.BitmapEncoding.BASE64, hcs.bitmapEncoding());
        assertTrue(hcs.msbFirst());
        assertEquals(HcsSettings.MAX_SEGMENT_BYTES, hcs.bitmapSegmentBytes());
        assertEquals(HcsSettings.DeviceNaming.AUTO, hcs.deviceNaming());
        assertFalse(hcs.toString().contains(SECRET), hcs.toString());
        assertEquals("(hidden)", hcs.password().toString());
        assertEquals(Map.of("dc1", 23), SourceBackends.diskCaps(settings), "23 disks at once unless max-disks says");
    }

    @Test
    void should_name_each_missing_key_and_what_to_give_it() {
        for (String key : List.of("iam-url", "dorado-url", "project-id", "proxy-server-id", "user")) {
            Map<String, String> k = complete();
            k.remove("blockferry.backends.dc1." + key);
            ConfigurationException missing = assertThrows(ConfigurationException.class,
                    () -> SourceBackends.hcsSettings(Settings.load(SHIPPED, k), "dc1"));
            assertTrue(missing.getMessage().contains("blockferry.backends.dc1." + key), missing.getMessage());
        }
        Map<String, String> k = complete();
        k.remove("blockferry.backends.dc1.password");
        ConfigurationException noPassword = assertThrows(ConfigurationException.class,
                () -> SourceBackends.hcsSettings(Settings.load(SHIPPED, k), "dc1"));
        assertTrue(noPassword.getMessage().contains("blockferry.backends.dc1.password-file"), noPassword.getMessage());
        Map<String, String> bad = complete();
        bad.put("blockferry.backends.dc1.iam-url", "not a url");
        ConfigurationException notUrl = assertThrows(ConfigurationException.class,
                () -> SourceBackends.hcsSettings(Settings.load(SHIPPED, bad), "dc1"));
        assertTrue(notUrl.getMessage().contains("blockferry.backends.dc1.iam-url"), notUrl.getMessage());
    }

    @Test
    void should_refuse_an_unknown_bitmap_encoding_before_the_start_naming_the_key() {
        Map<String, String> k = complete();
        k.put("blockferry.backends.dc1.bitmap-encoding", "BASE32");
        List<String> errors = ConfigCheck.of(Settings.load(SHIPPED, k)).errors();
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("blockferry.backends.dc1.bitmap-encoding"), errors.get(0));
        k.put("blockferry.backends.dc1.bitmap-encoding", "HEX");
        k.put("blockferry.backends.dc1.max-disks", "8");
        Settings settings = Settings.load(SHIPPED, k);
        assertEquals(HcsSettings.BitmapEncoding.HEX, SourceBackends.hcsSettings(settings, "dc1").bitmapEncoding());
        assertEquals(Map.of("dc1", 8), SourceBackends.diskCaps(settings));
    }
}
