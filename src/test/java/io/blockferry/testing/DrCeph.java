package io.blockferry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.ceph.CephSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The second one-node Ceph cluster, the DR site, of {@code scripts/ceph-dev.sh --cluster dr},
 * started once per test JVM if needed; like {@link LocalCeph}, with the stock {@code rbd} CLI as
 * client.admin of the DR cluster as an independent witness of what arrived there. Nothing here
 * ever talks to the primary cluster.
 */
public final class DrCeph {

    /** DR replicas of the primary's volumes and vms pools. */
    public static final String VOLUMES = "dr-volumes";
    public static final String VMS = "dr-vms";

    private static final List<String> SCRIPT = List.of("bash", "scripts/ceph-dev.sh", "--cluster", "dr");
    private static Map<String, String> env;

    private DrCeph() {
    }

    /** Starts the DR cluster if needed and returns its client settings (BLOCKFERRY_CEPH_* values, DR's). */
    public static synchronized Map<String, String> ensureStarted() {
        if (env == null) {
            LocalCeph.run(command("start"), 600);
            Map<String, String> values = new HashMap<>();
            for (String line : LocalCeph.run(command("env"), 30).split("\n")) {
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

    /** The DR writer's keyring file (mode 0600); its key is never read here. */
    public static Path keyring() {
        return Path.of(ensureStarted().get("BLOCKFERRY_CEPH_KEYRING"));
    }

    /** The DR writer's cephx user, without "client." (blockferry-dr: profile rbd on the DR pools). */
    public static String user() {
        return ensureStarted().get("BLOCKFERRY_CEPH_ID");
    }

    /** Connection settings for librbd as the DR writer (CephCluster.connect). */
    public static CephSettings writerSettings() {
        return new CephSettings(conf(), user(), keyring(), 15);
    }

    /** Runs {@code rbd} as the DR cluster's client.admin and returns its standard output. */
    public static String rbd(String... args) {
        return LocalCeph.run(adminCommand("rbd", args), 300);
    }

    /** Runs {@code ceph} as the DR cluster's client.admin and returns its standard output. */
    public static String ceph(String... args) {
        return LocalCeph.run(adminCommand("ceph", args), 60);
    }

    /** The DR cluster's fsid. */
    public static String fsid() {
        return ceph("fsid").trim();
    }

    /** Image names in a DR pool. */
    public static List<String> images(String pool) {
        List<String> names = new ArrayList<>();
        readJson(rbd("ls", "--format", "json", pool)).forEach(node -> names.add(node.asText()));
        return names;
    }

    /** Snapshot names of a DR image, oldest first, as the rbd CLI lists them. */
    public static List<String> snapshots(String pool, String image) {
        List<String> names = new ArrayList<>();
        readJson(rbd("snap", "ls", "--format", "json", pool + "/" + image)).forEach(node -> names.add(node.get("name").asText()));
        return names;
    }

    /** SHA-256 of {@code rbd export pool/image@snapshot -} on the DR cluster; a null snapshot exports the head. */
    public static String exportSha256(String pool, String image, String snapshot) {
        String spec = pool + "/" + image + (snapshot == null ? "" : "@" + snapshot);
        List<String> command = adminCommand("rbd", "export", "--no-progress", spec, "-");
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = p.getInputStream()) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = in.read(buffer)) > 0; ) {
                    sha.update(buffer, 0, n);
                }
            }
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("rbd export of " + spec + " on the DR cluster did not finish in 300 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("rbd export of " + spec + " on the DR cluster failed (" + p.exitValue() + ")");
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Removes a DR image and all its snapshots, if it exists. */
    public static void removeImage(String pool, String image) {
        if (images(pool).contains(image)) {
            rbd("snap", "purge", "--no-progress", pool + "/" + image);
            rbd("rm", "--no-progress", pool + "/" + image);
        }
    }

    private static List<String> command(String action) {
        List<String> command = new ArrayList<>(SCRIPT);
        command.add(action);
        return command;
    }

    private static List<String> adminCommand(String tool, String... args) {
        List<String> command = new ArrayList<>(List.of(tool, "--conf", conf().toString(), "--id", "admin"));
        command.addAll(List.of(args));
        return command;
    }

    private static com.fasterxml.jackson.databind.JsonNode readJson(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
