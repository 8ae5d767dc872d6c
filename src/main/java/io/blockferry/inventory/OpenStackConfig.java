package io.blockferry.inventory;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code blockferry.openstack.*} keys. Each credential key falls back to the openrc variable
 * an operator already has ({@code OS_AUTH_URL} and so on) when it is empty, so that
 * {@code source openrc.sh} is enough.
 *
 * @param logins            the authentication domains to poll, each with its credential
 * @param allProjects       list every project's servers (needs the admin role)
 * @param resyncOnMigration a server moved to another compute host gets a full resync of its disks
 */
public record OpenStackConfig(boolean enabled, List<OpenStackLogin> logins, boolean allProjects, CephPoolMap pools,
                              boolean resyncOnMigration) {

    static final String PREFIX = "blockferry.openstack.";
    /** auth-domains value for one unscoped credential that polls every project it has a role on. */
    static final String EVERY_DOMAIN = "*";

    /** The blockferry key (without prefix) standing for each openrc variable. */
    private static final Map<String, String> OPENRC = orderedMap(
            "OS_AUTH_URL", "auth-url", "OS_USERNAME", "username", "OS_PASSWORD", "password",
            "OS_USER_DOMAIN_NAME", "user-domain", "OS_PROJECT_NAME", "project",
            "OS_PROJECT_DOMAIN_NAME", "project-domain", "OS_REGION_NAME", "region", "OS_INTERFACE", "interface",
            "OS_CACERT", "cacert", "OS_INSECURE", "insecure",
            // ids have no key of their own; an openrc that names them still works
            "OS_USER_DOMAIN_ID", "", "OS_PROJECT_ID", "", "OS_PROJECT_DOMAIN_ID", "");

    public static OpenStackConfig disabled() {
        return new OpenStackConfig(false, List.of(), false, new CephPoolMap(Map.of()), false);
    }

    public static OpenStackConfig from(Settings settings) {
        if (!settings.flag(PREFIX + "enabled")) {
            return disabled();
        }
        CephPoolMap pools = CephPoolMap.parse(settings.text(PREFIX + "pools", ""), PREFIX + "pools");
        return new OpenStackConfig(true, logins(settings), settings.flag(PREFIX + "all-projects"), pools,
                settings.flag(PREFIX + "resync-on-migration"));
    }

    /**
     * The one project-scoped credential of the {@code blockferry.openstack.*} keys and openrc variables,
     * whether or not the inventory is enabled: the target's restores act in that project.
     */
    public static OpenStackSettings projectCredential(Settings settings) {
        try {
            return OpenStackSettings.fromEnvironment(openrc(settings), true);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("a restore needs an OpenStack credential, but " + e.getMessage()
                    + "; or set the matching key: " + keyTable());
        }
    }

    private static List<OpenStackLogin> logins(Settings settings) {
        Map<String, String> openrc = openrc(settings);
        String domains = settings.text(PREFIX + "auth-domains", "").trim();
        if (domains.isEmpty()) {
            return List.of(new OpenStackLogin("default", credential(openrc, true), false));
        }
        if (domains.equals(EVERY_DOMAIN)) {
            return List.of(new OpenStackLogin(EVERY_DOMAIN, credential(openrc, false), false));
        }
        List<OpenStackLogin> logins = new ArrayList<>();
        for (String domain : domains.split(",")) {
            String name = domain.trim();
            if (name.isEmpty() || name.equals(EVERY_DOMAIN)) {
                throw new ConfigurationException(PREFIX + "auth-domains is '" + domains + "': list domain names "
                        + "separated by commas, or set it to * alone for one credential that sees every domain");
            }
            logins.add(new OpenStackLogin(name, credential(domainOpenrc(settings, openrc, name), false), true));
        }
        return List.copyOf(logins);
    }

    /**
     * The credential of one authentication domain: its user lives in that domain, and the
     * {@code auth-domain.<name>.*} keys override the shared user name, password and project.
     */
    private static Map<String, String> domainOpenrc(Settings settings, Map<String, String> shared, String domain) {
        Map<String, String> env = new LinkedHashMap<>(shared);
        String prefix = PREFIX + "auth-domain." + domain + ".";
        settings.find(prefix + "username").ifPresent(v -> env.put("OS_USERNAME", v));
        settings.find(prefix + "password").ifPresent(v -> env.put("OS_PASSWORD", v));
        env.remove("OS_USER_DOMAIN_ID");
        env.put("OS_USER_DOMAIN_NAME", domain);
        env.remove("OS_PROJECT_NAME");
        env.remove("OS_PROJECT_ID");
        env.remove("OS_PROJECT_DOMAIN_ID");
        env.put("OS_PROJECT_DOMAIN_NAME", domain);
        settings.find(prefix + "project").ifPresent(v -> env.put("OS_PROJECT_NAME", v));
        return env;
    }

    private static OpenStackSettings credential(Map<String, String> openrc, boolean projectRequired) {
        try {
            return OpenStackSettings.fromEnvironment(openrc, projectRequired);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("the OpenStack inventory is enabled (" + PREFIX + "enabled) but " +
                    e.getMessage() + "; or set the matching key: " + keyTable());
        }
    }

    /** Each openrc variable: the blockferry key when set, else the variable from the environment. */
    private static Map<String, String> openrc(Settings settings) {
        Map<String, String> env = new LinkedHashMap<>();
        OPENRC.forEach((variable, key) -> {
            Optional<String> value = key.isEmpty() ? Optional.empty() : settings.find(PREFIX + key);
            value.or(() -> settings.find(variable)).ifPresent(v -> env.put(variable, v));
        });
        return env;
    }

    private static String keyTable() {
        StringBuilder table = new StringBuilder();
        OPENRC.forEach((variable, key) -> {
            if (!key.isEmpty()) {
                table.append(table.length() == 0 ? "" : ", ").append(variable).append(" = ").append(PREFIX).append(key);
            }
        });
        return table.toString();
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
