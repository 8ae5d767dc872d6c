package io.blockferry.ceph;

import io.blockferry.config.Settings;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How to reach a Ceph cluster: a ceph.conf, the cephx user (without "client.") and optionally a
 * keyring path. The key itself is only ever read by librados from the keyring file. {@code keys}
 * is the configuration prefix these came from ({@code blockferry.ceph.}), so that an error names
 * the keys to fix.
 */
public record CephSettings(Path confFile, String user, Path keyring, int timeoutSeconds, String keys) {

    public CephSettings(Path confFile, String user, Path keyring, int timeoutSeconds) {
        this(confFile, user, keyring, timeoutSeconds, "blockferry.ceph.");
    }

    /**
     * A cluster's settings under {@code prefix} ({@code blockferry.ceph.}, {@code blockferry.backends.<name>.},
     * {@code blockferry.target.dr.}): conf, id, keyring (empty: the conf's) and timeout-seconds (unset:
     * blockferry.ceph.timeout-seconds).
     */
    public static CephSettings from(Settings settings, String prefix) {
        return new CephSettings(settings.path(prefix + "conf"), settings.text(prefix + "id"),
                settings.find(prefix + "keyring").map(Path::of).orElse(null),
                settings.find(prefix + "timeout-seconds").map(Integer::parseInt)
                        .orElse(settings.integer("blockferry.ceph.timeout-seconds")), prefix);
    }

    /** {@code <prefix><suffix> (<ITS_ENVIRONMENT_VARIABLE>)}, for a message that says what to set. */
    String key(String suffix) {
        String key = keys + suffix;
        return key + " (" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")";
    }
}
