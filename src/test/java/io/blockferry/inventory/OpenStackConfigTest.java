package io.blockferry.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The blockferry.openstack.* keys of the shipped file, with openrc variables standing in for empty ones. */
class OpenStackConfigTest {

    private static Settings settings(Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>();
        all.put("blockferry.openstack.enabled", "true");
        // An override named like an environment variable is what the environment would give.
        all.put("OS_AUTH_URL", "https://keystone.example:5000/v3");
        all.put("OS_USERNAME", "backup");
        all.put("OS_PASSWORD", "pw-from-openrc");
        all.put("OS_USER_DOMAIN_NAME", "Default");
        all.put("OS_PROJECT_NAME", "demo");
        all.put("OS_PROJECT_DOMAIN_NAME", "Default");
        all.putAll(overrides);
        return Settings.load(Path.of("config/application.properties"), all);
    }

    @Test
    void should_be_disabled_by_default() {
        OpenStackConfig config = OpenStackConfig.from(Settings.load(Path.of("config/application.properties"), Map.of()));
        assertFalse(config.enabled());
        assertEquals(List.of(), config.logins());
    }

    @Test
    void should_take_the_openrc_variables_when_the_keys_are_empty() {
        OpenStackConfig config = OpenStackConfig.from(settings(Map.of("OS_INTERFACE", "internal", "OS_REGION_NAME", "R2")));
        OpenStackSettings login = config.logins().get(0).settings();
        assertEquals("https://keystone.example:5000/v3", login.authUrl());
        assertEquals("backup", login.username());
        assertEquals(NameOrId.name("demo"), login.project());
        assertEquals("R2", login.region());
        assertEquals(OpenStackSettings.EndpointInterface.INTERNAL, login.endpointInterface());
        assertEquals(Optional.of("volumes"), config.pools().volumePool(null));
        assertEquals("vms", config.pools().ephemeralPool());
        assertTrue(config.resyncOnMigration());
    }

    @Test
    void should_prefer_the_blockferry_keys_over_the_openrc_variables() {
        OpenStackConfig config = OpenStackConfig.from(settings(Map.of("blockferry.openstack.username", "other",
                "blockferry.openstack.project", "p2", "blockferry.openstack.insecure", "true",
                "blockferry.openstack.pools", "ceph-ssd=volumes, ceph-hdd=volumes-hdd")));
        OpenStackSettings login = config.logins().get(0).settings();
        assertEquals("other", login.username());
        assertEquals(NameOrId.name("p2"), login.project());
        assertTrue(login.insecure());
        assertEquals(Optional.of("volumes-hdd"), config.pools().volumePool("ceph-hdd"));
        assertEquals(Optional.empty(), config.pools().volumePool(null));
    }

    @Test
    void should_make_one_scoped_login_per_authentication_domain() {
        OpenStackConfig config = OpenStackConfig.from(settings(Map.of("blockferry.openstack.auth-domains", "Default, other",
                "blockferry.openstack.auth-domain.other.username", "other-user",
                "blockferry.openstack.auth-domain.other.password", "other-pw",
                "blockferry.openstack.auth-domain.other.project", "other-project")));
        assertEquals(2, config.logins().size());
        OpenStackLogin first = config.logins().get(0);
        assertEquals("Default", first.label());
        assertTrue(first.ownDomainOnly());
        assertNull(first.settings().project(), "no project of its own: every project of the user in the domain");
        assertEquals("backup", first.settings().username());
        OpenStackSettings other = config.logins().get(1).settings();
        assertEquals("other-user", other.username());
        assertEquals("other-pw", other.password());
        assertEquals(NameOrId.name("other"), other.userDomain());
        assertEquals(NameOrId.name("other-project"), other.project());
        assertEquals(NameOrId.name("other"), other.projectDomain());
    }

    @Test
    void should_make_one_unscoped_login_for_every_domain() {
        OpenStackConfig config = OpenStackConfig.from(settings(Map.of("blockferry.openstack.auth-domains", "*",
                "OS_PROJECT_NAME", "")));
        OpenStackLogin login = config.logins().get(0);
        assertFalse(login.ownDomainOnly());
        assertNull(login.settings().project());
    }

    @Test
    void should_name_the_key_and_the_variable_of_a_missing_password_without_showing_secrets() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> OpenStackConfig.from(settings(Map.of("OS_PASSWORD", ""))));
        assertTrue(e.getMessage().contains("OS_PASSWORD"), e.getMessage());
        assertTrue(e.getMessage().contains("blockferry.openstack.password"), e.getMessage());
    }

    @Test
    void should_refuse_a_malformed_pool_map_naming_the_entry_and_the_format() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> OpenStackConfig.from(settings(Map.of("blockferry.openstack.pools", "ceph-ssd:volumes"))));
        assertTrue(e.getMessage().contains("blockferry.openstack.pools is 'ceph-ssd:volumes' ('ceph-ssd:volumes' is not key=value)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("volume-type=pool"), e.getMessage());
        e = assertThrows(ConfigurationException.class, () -> OpenStackConfig.from(settings(Map.of(
                "blockferry.openstack.auth-domains", "a,*"))));
        assertTrue(e.getMessage().contains("auth-domains"), e.getMessage());
    }
}
