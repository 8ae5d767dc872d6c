package io.blockferry.testing;

import io.blockferry.security.RecordKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

/** Record key files for a test (owner-only, as Blockferry demands) and the settings that name them. */
public final class RecordKeyFiles {

    private RecordKeyFiles() {
    }

    /** A 32-byte key made from a seed (tests only), written as base64 to {@code dir/ID.key}. */
    public static Path write(Path dir, String id, long seed) {
        byte[] secret = secret(seed);
        Path file = dir.resolve(id + ".key");
        try {
            Files.createDirectories(dir);
            Files.writeString(file, Base64.getEncoder().encodeToString(secret) + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    public static byte[] secret(long seed) {
        byte[] secret = new byte[32];
        new Random(seed).nextBytes(secret);
        return secret;
    }

    /** Settings that sign with one key {@code id} made from {@code seed}. */
    public static Map<String, String> settings(Path dir, String id, long seed) {
        return Map.of("blockferry.security.record-keys", id + "=" + write(dir, id, seed),
                "blockferry.security.signing-key", id);
    }

    /** Keys made of a given secret. */
    public static RecordKeys keysOf(String id, byte[] secret) {
        return RecordKeys.of(Map.of(id, secret), id, false, Map.of(), false);
    }

    /** The same key as {@link #settings}, for a test that signs records itself (a peer site, or a forger). */
    public static RecordKeys keys(String id, long seed) {
        return RecordKeys.of(Map.of(id, secret(seed)), id, false, Map.of(), false);
    }
}
