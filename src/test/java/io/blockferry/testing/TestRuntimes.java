package io.blockferry.testing;

import io.blockferry.BlockferryRuntime;
import io.blockferry.config.Settings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Settings for a Blockferry runtime in a test: local Ceph, a private data directory, free ports. */
public final class TestRuntimes {

    /** The shipped configuration every test runtime starts from. */
    public static final String CONFIG = "config/application.properties";

    private TestRuntimes() {
    }

    public static Settings settings(Path dataDir, Map<String, String> more) {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("blockferry.data-dir", dataDir.toString());
        overrides.put("blockferry.ceph.conf", LocalCeph.conf().toString());
        overrides.put("blockferry.ceph.id", "blockferry");
        overrides.put("blockferry.ceph.keyring", LocalCeph.keyring().toString());
        overrides.put("blockferry.kafka.bootstrap-servers", "");
        overrides.put("blockferry.kafka.embedded.port", "0");
        overrides.put("blockferry.kafka.embedded.controller-port", "0");
        overrides.put("blockferry.kafka.partitions", "2");
        overrides.put("blockferry.source.volumes", "");
        overrides.put("camel.server.enabled", "false");
        overrides.put("camel.management.enabled", "false");
        overrides.putAll(more);
        return Settings.load(Path.of(CONFIG), overrides);
    }

    /** A TCP port free right now, for a test's HTTP server. */
    public static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static BlockferryRuntime start(Path dataDir, Map<String, String> more) {
        return BlockferryRuntime.start(settings(dataDir, more));
    }
}
