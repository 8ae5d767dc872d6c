package io.blockferry.inventory;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * How to authenticate to Keystone v3 and which endpoints to use, as an openrc file says it.
 *
 * @param caBundle PEM file of the CAs to trust, or null for the JVM's default trust store
 * @param insecure trust any TLS certificate and host name (test clouds only)
 * @param region   the catalog region, or null to take the first endpoint of any region
 * @param project  the project to scope the token to, or null for an unscoped token (which only
 *                 lists the projects the user may scope to)
 */
public record OpenStackSettings(String authUrl, String username, String password, NameOrId userDomain,
                                NameOrId project, NameOrId projectDomain, String region, EndpointInterface endpointInterface,
                                Path caBundle, boolean insecure) {

    /** The catalog interface to call: operators choose internal or admin on a management network. */
    public enum EndpointInterface { PUBLIC, INTERNAL, ADMIN }

    public OpenStackSettings {
        require(authUrl, "auth URL");
        require(username, "user name");
        require(password, "password");
        if (userDomain == null || endpointInterface == null) {
            throw new IllegalArgumentException("user domain and interface are required");
        }
        if (project != null && !project.isId() && projectDomain == null) {
            throw new IllegalArgumentException("a project named by name needs its domain (OS_PROJECT_DOMAIN_NAME)");
        }
    }

    /** The same credential scoped to a project by id, as found in Keystone's project list. */
    public OpenStackSettings scopedTo(String projectId) {
        return new OpenStackSettings(authUrl, username, password, userDomain, NameOrId.id(projectId), null, region,
                endpointInterface, caBundle, insecure);
    }

    /** The same credential without a project: an unscoped token, to list the projects it may use. */
    public OpenStackSettings unscoped() {
        return new OpenStackSettings(authUrl, username, password, userDomain, null, null, region, endpointInterface,
                caBundle, insecure);
    }

    /** Where the token is scoped, for messages. */
    public String scope() {
        if (project == null) {
            return "no project (unscoped)";
        }
        return "project '" + project + "'" + (projectDomain == null ? "" : " of domain '" + projectDomain + "'");
    }

    /**
     * Reads the variables an OpenStack openrc file exports. Names win over ids when both are set,
     * as in the openstack CLI.
     *
     * @throws IllegalArgumentException naming the first missing or invalid variable
     */
    public static OpenStackSettings fromEnvironment(Map<String, String> env) {
        return fromEnvironment(env, true);
    }

    /**
     * As {@link #fromEnvironment(Map)}; without a required project, missing project variables
     * give an unscoped credential that lists its projects itself.
     */
    public static OpenStackSettings fromEnvironment(Map<String, String> env, boolean projectRequired) {
        boolean scoped = projectRequired || optional(env, "OS_PROJECT_NAME") != null
                || optional(env, "OS_PROJECT_ID") != null;
        String interfaceName = optional(env, "OS_INTERFACE");
        String caBundle = optional(env, "OS_CACERT");
        return new OpenStackSettings(
                required(env, "OS_AUTH_URL"),
                required(env, "OS_USERNAME"),
                required(env, "OS_PASSWORD"),
                nameOrId(env, "OS_USER_DOMAIN_NAME", "OS_USER_DOMAIN_ID"),
                scoped ? nameOrId(env, "OS_PROJECT_NAME", "OS_PROJECT_ID") : null,
                scoped && optional(env, "OS_PROJECT_NAME") != null
                        ? nameOrId(env, "OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN_ID") : optionalNameOrId(env),
                optional(env, "OS_REGION_NAME"),
                interfaceName == null ? EndpointInterface.PUBLIC : parseInterface(interfaceName),
                caBundle == null ? null : Path.of(caBundle),
                Boolean.parseBoolean(optional(env, "OS_INSECURE")));
    }

    /** Keystone's token URL; openrc files name the v3 root, with or without a trailing slash. */
    public String authUrlWithoutSlash() {
        return authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
    }

    /** Says who authenticates where, for error messages; never the password. */
    public String describe() {
        return "user '" + username + "' of domain '" + userDomain + "' at " + authUrl;
    }

    @Override
    public String toString() {
        return "OpenStackSettings[" + describe() + ", " + scope() + ", region " + region + ", interface " + endpointInterface + ", caBundle " + caBundle
                + ", insecure " + insecure + ", password ****]";
    }

    private static EndpointInterface parseInterface(String value) {
        // Old openrc files say publicURL / internalURL / adminURL.
        String normal = value.toUpperCase(Locale.ROOT).replace("URL", "");
        try {
            return EndpointInterface.valueOf(normal);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("OS_INTERFACE is '" + value + "': use public, internal or admin");
        }
    }

    private static NameOrId nameOrId(Map<String, String> env, String nameVariable, String idVariable) {
        String name = optional(env, nameVariable);
        if (name != null) {
            return NameOrId.name(name);
        }
        String id = optional(env, idVariable);
        if (id != null) {
            return NameOrId.id(id);
        }
        throw new IllegalArgumentException("OpenStack setting " + nameVariable + " (or " + idVariable
                + ") is missing: export it as in your openrc file");
    }

    private static NameOrId optionalNameOrId(Map<String, String> env) {
        String name = optional(env, "OS_PROJECT_DOMAIN_NAME");
        String id = optional(env, "OS_PROJECT_DOMAIN_ID");
        return name != null ? NameOrId.name(name) : id != null ? NameOrId.id(id) : null;
    }

    private static String required(Map<String, String> env, String variable) {
        String value = optional(env, variable);
        if (value == null) {
            throw new IllegalArgumentException("OpenStack setting " + variable
                    + " is missing: export it as in your openrc file");
        }
        return value;
    }

    private static String optional(Map<String, String> env, String variable) {
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : value;
    }

    private static void require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("OpenStack " + what + " is required");
        }
    }
}
