package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenStackSettingsTest {

    private static Map<String, String> openrc() {
        Map<String, String> env = new HashMap<>();
        env.put("OS_AUTH_URL", "https://keystone.example:5000/v3/");
        env.put("OS_USERNAME", "blockferry");
        env.put("OS_PASSWORD", "s3cret-pw");
        env.put("OS_USER_DOMAIN_NAME", "Default");
        env.put("OS_PROJECT_NAME", "demo");
        env.put("OS_PROJECT_DOMAIN_ID", "default");
        return env;
    }

    @Test
    void should_read_an_openrc_environment() {
        Map<String, String> env = openrc();
        env.put("OS_REGION_NAME", "RegionOne");
        env.put("OS_INTERFACE", "internalURL");
        env.put("OS_CACERT", "/etc/ssl/ca.pem");

        OpenStackSettings settings = OpenStackSettings.fromEnvironment(env);
        assertEquals("https://keystone.example:5000/v3", settings.authUrlWithoutSlash());
        assertEquals(NameOrId.name("Default"), settings.userDomain());
        assertEquals(NameOrId.name("demo"), settings.project());
        assertEquals(NameOrId.id("default"), settings.projectDomain());
        assertEquals("RegionOne", settings.region());
        assertEquals(OpenStackSettings.EndpointInterface.INTERNAL, settings.endpointInterface());
        assertEquals("/etc/ssl/ca.pem", settings.caBundle().toString());
        assertFalse(settings.insecure());
    }

    @Test
    void should_default_to_the_public_interface_and_any_region() {
        OpenStackSettings settings = OpenStackSettings.fromEnvironment(openrc());
        assertEquals(OpenStackSettings.EndpointInterface.PUBLIC, settings.endpointInterface());
        assertEquals(null, settings.region());
    }

    @Test
    void should_name_the_missing_variable() {
        Map<String, String> env = openrc();
        env.remove("OS_PASSWORD");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenStackSettings.fromEnvironment(env));
        assertTrue(e.getMessage().contains("OS_PASSWORD"), e.getMessage());

        Map<String, String> noDomain = openrc();
        noDomain.remove("OS_USER_DOMAIN_NAME");
        e = assertThrows(IllegalArgumentException.class, () -> OpenStackSettings.fromEnvironment(noDomain));
        assertTrue(e.getMessage().contains("OS_USER_DOMAIN_NAME (or OS_USER_DOMAIN_ID)"), e.getMessage());
    }

    @Test
    void should_reject_an_unknown_interface() {
        Map<String, String> env = openrc();
        env.put("OS_INTERFACE", "private");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpenStackSettings.fromEnvironment(env));
        assertTrue(e.getMessage().contains("OS_INTERFACE"), e.getMessage());
    }

    @Test
    void should_never_show_the_password() {
        OpenStackSettings settings = OpenStackSettings.fromEnvironment(openrc());
        assertFalse(settings.toString().contains("s3cret-pw"), settings.toString());
        assertFalse(settings.describe().contains("s3cret-pw"));
    }
}
