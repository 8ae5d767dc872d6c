package io.blockferry.ops;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.store.OwnerOnly;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Jolokia (the management server's {@code /observe/jolokia}, which Hawtio uses) needs a login:
 * HTTP Basic with {@code blockferry.jolokia.user} and {@code blockferry.jolokia.password}, which is
 * the REST API's token unless set. Camel's management server checks it (its Basic authentication
 * on the Jolokia path only: health and metrics stay open to probes and Prometheus) against a
 * users file written here, owner-only, at every start. Cross-origin requests are refused by
 * Jolokia's own policy ({@code jolokia-access.xml}, {@code <cors>}).
 */
public final class JolokiaAccess {

    public static final String USER = "blockferry.jolokia.user";
    public static final String PASSWORD = "blockferry.jolokia.password";

    private JolokiaAccess() {
    }

    /**
     * The Camel properties that put the login in front of Jolokia, after writing the users file
     * into the data directory; none when the management server or its Jolokia is off.
     */
    public static Map<String, String> camelProperties(Settings settings, ApiAccess api) {
        boolean management = Boolean.parseBoolean(settings.text("camel.management.enabled", "false"));
        boolean jolokia = Boolean.parseBoolean(settings.text("camel.management.jolokiaEnabled", "false"));
        if (!management || !jolokia) {
            return Map.of();
        }
        String user = settings.text(USER, "blockferry");
        String password = settings.find(PASSWORD).orElseGet(api::secret);
        if (!user.matches("[A-Za-z0-9._-]+")) {
            throw new ConfigurationException(USER + " is '" + user + "': use letters, digits, '.', '_' and '-'");
        }
        if (password.isBlank() || !password.equals(password.strip()) || password.contains(",") || password.contains("\n")) {
            throw new ConfigurationException(PASSWORD + " must not be empty, hold ',' or a line break, or begin or end "
                    + "with a space (Camel's users file takes it as it is): fix it in "
                    + "config/application.properties or BLOCKFERRY_JOLOKIA_PASSWORD");
        }
        Path users = Path.of(settings.text("blockferry.data-dir")).toAbsolutePath().resolve("jolokia-users.properties");
        write(users, "# Written by Blockferry at each start from " + USER + " and " + PASSWORD
                + " (default: the API token). Owner-only.\nuser." + user + "=" + password + ",jolokia\n");
        String base = settings.text("camel.management.path", "/observe");
        String path = settings.text("camel.management.jolokiaPath", "/jolokia");
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("camel.management.authenticationEnabled", "true");
        properties.put("camel.management.authenticationPath", base + path + "/*");
        properties.put("camel.management.authenticationRealm", "blockferry-jolokia");
        properties.put("camel.management.basicPropertiesFile", users.toString());
        return properties;
    }

    private static void write(Path users, String text) {
        try {
            OwnerOnly.createDirectories(users.getParent());
            Path fresh = users.resolveSibling(users.getFileName() + ".new");
            Files.deleteIfExists(fresh);
            OwnerOnly.createFile(fresh);
            Files.writeString(fresh, text, StandardCharsets.UTF_8);
            Files.move(fresh, users, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Jolokia's users file " + users + ": " + e.getMessage(), e);
        }
    }
}
