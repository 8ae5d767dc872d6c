package io.blockferry;

import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import io.blockferry.config.BackendTypes;
import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.source.BlockSource;
import io.blockferry.source.BlockSources;
import io.blockferry.source.VolumeId;
import io.blockferry.source.hcs.HcsBlockSource;
import io.blockferry.source.hcs.HcsSettings;
import io.blockferry.source.hcs.Secret;
import io.blockferry.source.rbd.RbdBlockSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Makes the configured source backends. The default one, {@code rbd}, is the Ceph cluster of
 * {@code blockferry.ceph.*} (so an existing configuration works unchanged); others are named by
 * {@code blockferry.backends.<name>.type} with their own keys under that prefix, and their volume
 * ids carry the name as a scheme ({@code <name>:pool/image}).
 */
final class SourceBackends {

    private SourceBackends() {
    }

    static BlockSources connect(Settings settings) {
        List<BlockSource> sources = new ArrayList<>();
        try {
            if (settings.flag("blockferry.ceph.enabled")) {
                sources.add(new RbdBlockSource(VolumeId.DEFAULT_SCHEME, CephCluster.connect(CephSettings.from(settings,
                        "blockferry.ceph."))));
            }
            for (String name : backendNames(settings)) {
                String prefix = "blockferry.backends." + name + ".";
                String type = settings.text(prefix + "type");
                if (type.equals(BackendTypes.HCS)) {
                    sources.add(new HcsBlockSource(hcsSettings(settings, name), settings.find(prefix
                            + "consistency-window").map(v -> settings.duration(prefix + "consistency-window"))
                            .orElse(HcsBlockSource.DEFAULT_CONSISTENCY_WINDOW)));
                    continue;
                }
                if (!type.equals(BackendTypes.RBD)) {
                    throw new ConfigurationException(prefix + "type is '" + type + "': this release knows the "
                            + "backend types " + String.join(", ", BackendTypes.NAMES));
                }
                sources.add(new RbdBlockSource(name, CephCluster.connect(CephSettings.from(settings, prefix))));
            }
            return new BlockSources(sources);
        } catch (RuntimeException e) {
            sources.forEach(BlockSource::close);
            throw e;
        }
    }

    /** The names under {@code blockferry.backends.<name>.type}, from the file, the environment and overrides. */
    static List<String> backendNames(Settings settings) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : settings.keys()) {
            if (key.startsWith("blockferry.backends.") && key.endsWith(".type")) {
                String name = key.substring("blockferry.backends.".length(), key.length() - ".type".length());
                if (name.equals(VolumeId.DEFAULT_SCHEME)) {
                    throw new ConfigurationException("blockferry.backends.rbd is the default backend, configured by "
                            + "blockferry.ceph.*: give the other cluster another name");
                }
                new VolumeId(name, "p", "n");
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    /** The queue's cap on a backend's disks in flight: its max-disks, 23 for HCS (24 per server, one the proxy's boot disk). */
    static java.util.Map<String, Integer> diskCaps(Settings settings) {
        java.util.Map<String, Integer> caps = new java.util.TreeMap<>();
        for (String name : backendNames(settings)) {
            String prefix = "blockferry.backends." + name + ".";
            java.util.Optional<String> cap = settings.find(prefix + "max-disks");
            if (cap.isPresent()) {
                caps.put(name, settings.integer(prefix + "max-disks"));
            } else if (settings.text(prefix + "type").equals(BackendTypes.HCS)) {
                caps.put(name, HCS_DISKS_PER_PROXY);
            }
        }
        return caps;
    }

    /** HCS attaches at most 24 disks to a server; the proxy's boot disk takes one. */
    static final int HCS_DISKS_PER_PROXY = 23;

    static HcsSettings hcsSettings(Settings settings, String name) {
        String p = "blockferry.backends." + name + ".";
        return new HcsSettings(name, url(settings, p + "iam-url", "the IAM endpoint, such as "
                        + "https://iam-apigateway-proxy.<region>.<domain>"),
                url(settings, p + "ecs-url", "the ECS endpoint, such as https://ecs.<region>.<domain>"),
                url(settings, p + "evs-url", "the EVS endpoint, such as https://evs.<region>.<domain>"),
                url(settings, p + "dorado-url", "the array's REST base, such as https://<array>:8088/deviceManager/rest"),
                required(settings, p + "domain", "the IAM user's domain name"),
                required(settings, p + "user", "the IAM user Blockferry logs in as"),
                secret(settings, p + "password"), required(settings, p + "project-id", "the project's id (32 hex "
                        + "digits), the pool of its volume ids"),
                required(settings, p + "dorado-user", "the array user Blockferry logs in as"),
                secret(settings, p + "dorado-password"),
                required(settings, p + "proxy-server-id", "the ECS server id of the machine Blockferry runs on"),
                Path.of(settings.text(p + "device-dir", "/dev/disk/by-id")),
                settings.find(p + "ca-file").map(Path::of).orElse(null),
                java.time.Duration.ofSeconds(settings.find(p + "timeout-seconds").map(Integer::parseInt).orElse(60)),
                settings.find(p + "job-timeout").isPresent() ? settings.duration(p + "job-timeout")
                        : java.time.Duration.ofMinutes(10),
                settings.find(p + "poll-interval").isPresent() ? settings.duration(p + "poll-interval")
                        : java.time.Duration.ofSeconds(1),
                settings.find(p + "snapshot-limit").map(Integer::parseInt).orElse(128),
                settings.find(p + "snapshot-limit-codes").isPresent() ? settings.list(p + "snapshot-limit-codes")
                        : List.of("EVS.SIM128"),
                settings.find(p + "bitmap-segment").isPresent() ? settings.bytes(p + "bitmap-segment")
                        : HcsSettings.MAX_SEGMENT_BYTES,
                HcsSettings.BitmapEncoding.valueOf(settings.text(p + "bitmap-encoding", "BASE64").toUpperCase()),
                settings.text(p + "bitmap-bit-order", "MSB_FIRST").equalsIgnoreCase("MSB_FIRST"),
                settings.text(p + "chunk-size-field", "CHUNKSIZE"),
                settings.text(p + "bitmap-last-chunk", "CLIP").equalsIgnoreCase("CLIP"),
                HcsSettings.DeviceNaming.valueOf(settings.text(p + "device-naming", "auto").toUpperCase()
                        .replace('-', '_')));
    }

    private static String required(Settings settings, String key, String what) {
        return settings.find(key).orElseThrow(() -> new ConfigurationException(key + " is not set: give it "
                + what + " (README, HCS and Dorado)"));
    }

    private static java.net.URI url(Settings settings, String key, String what) {
        String value = required(settings, key, what);
        try {
            java.net.URI uri = new java.net.URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new java.net.URISyntaxException(value, "no scheme or host");
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new ConfigurationException(key + " is '" + value + "', not a URL: give it " + what);
        }
    }

    /** A password from {@code <key>-file} (preferred: it stays out of the configuration) or from {@code <key>}. */
    private static Secret secret(Settings settings, String key) {
        java.util.Optional<String> file = settings.find(key + "-file");
        if (file.isPresent()) {
            return Secret.fromFile(Path.of(file.get()), key + "-file");
        }
        return settings.find(key).map(v -> Secret.of(v, key)).orElseThrow(() -> new ConfigurationException(
                key + "-file is not set: name a file (mode 0600) whose first line is the password, or set " + key));
    }
}
