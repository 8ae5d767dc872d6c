package io.blockferry.source.hcs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A password, from a file (its first line, read at each login, so a rotated file is picked up) or
 * from a PASSWORD key. It shows as {@code (hidden)} everywhere: logs, exceptions, toString.
 */
public final class Secret {

    private final Path file;
    private final String value;
    private final String key;

    private Secret(Path file, String value, String key) {
        this.file = file;
        this.value = value;
        this.key = key;
    }

    /** @param key the configuration key that names the file, for the error when it cannot be read */
    public static Secret fromFile(Path file, String key) {
        return new Secret(file, null, key);
    }

    public static Secret of(String value, String key) {
        return new Secret(null, value, key);
    }

    /** The password itself: only ever put into a login request's body. */
    String reveal() {
        if (value != null) {
            return value;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || lines.get(0).isEmpty()) {
                throw new HcsException("the password file " + file + " (" + key + ") is empty: put the password on its "
                        + "first line", io.blockferry.events.Causes.CONFIGURATION_INVALID);
            }
            return lines.get(0);
        } catch (IOException e) {
            throw new HcsException("cannot read the password file " + file + " (" + key + "): " + e.getClass()
                    .getSimpleName() + "; make it readable by Blockferry's user only (chmod 600)",
                    io.blockferry.events.Causes.CONFIGURATION_INVALID);
        }
    }

    @Override
    public String toString() {
        return "(hidden)";
    }
}
