package io.blockferry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The one-node Ceph cluster of scripts/ceph-dev.sh, started once per test JVM, and the stock
 * {@code rbd} CLI as an independent witness of what is on the source.
 */
public final class LocalCeph {

    private static Map<String, String> env;

    private LocalCeph() {
    }

    /** Starts the cluster if needed and returns its client settings (BLOCKFERRY_CEPH_* values). */
    public static synchronized Map<String, String> ensureStarted() {
        if (env == null) {
            run(List.of("bash", "scripts/ceph-dev.sh", "start"), 600);
            Map<String, String> values = new java.util.HashMap<>();
            for (String line : run(List.of("bash", "scripts/ceph-dev.sh", "env"), 30).split("\n")) {
                if (line.startsWith("export ")) {
                    String[] kv = line.substring(7).split("=", 2);
                    values.put(kv[0], kv[1]);
                }
            }
            env = Map.copyOf(values);
        }
        return env;
    }

    public static Path conf() {
        return Path.of(ensureStarted().get("BLOCKFERRY_CEPH_CONF"));
    }

    public static Path keyring() {
        return Path.of(ensureStarted().get("BLOCKFERRY_CEPH_KEYRING"));
    }

    /** Runs {@code rbd} as client.admin and returns its standard output. */
    public static String rbd(String... args) {
        List<String> command = new ArrayList<>(List.of("rbd", "--conf", conf().toString(), "--id", "admin"));
        command.addAll(List.of(args));
        return run(command, 300);
    }

    /** SHA-256 of {@code rbd export pool/image@snapshot -}; a null snapshot exports the image's head. */
    public static String exportSha256(String pool, String image, String snapshot) {
        ProcessBuilder pb = new ProcessBuilder("rbd", "--conf", conf().toString(), "--id", "admin", "export",
                pool + "/" + image + (snapshot == null ? "" : "@" + snapshot), "-").redirectError(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = p.getInputStream()) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("rbd export of " + pool + "/" + image + "@" + snapshot + " failed");
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Removes an image and all its snapshots, if it exists. */
    public static void removeImage(String pool, String image) {
        if (List.of(rbd("ls", pool).split("\n")).contains(image)) {
            rbd("snap", "purge", pool + "/" + image);
            rbd("rm", "--no-progress", pool + "/" + image);
        }
    }

    /** Total length of the extents {@code rbd diff} lists for a snapshot (from nothing). */
    public static long diffBytes(String pool, String image, String snapshot) {
        try {
            long total = 0;
            for (var extent : new ObjectMapper().readTree(rbd("diff", "--format", "json",
                    pool + "/" + image + "@" + snapshot))) {
                total += extent.get("length").asLong();
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Snapshot names of an image, oldest first, as the rbd CLI lists them. */
    public static List<String> snapshots(String pool, String image) {
        try {
            List<String> names = new ArrayList<>();
            new ObjectMapper().readTree(rbd("snap", "ls", "--format", "json", pool + "/" + image))
                    .forEach(node -> names.add(node.get("name").asText()));
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs a command, returning its output; fails with the output when it fails or hangs. */
    public static String run(List<String> command, int timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s");
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
