package io.blockferry;

import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephSettings;
import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.source.BlockSource;
import io.blockferry.source.BlockSources;
import io.blockferry.source.VolumeId;
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
                sources.add(new RbdBlockSource(VolumeId.DEFAULT_SCHEME, CephCluster.connect(cephSettings(settings,
                        "blockferry.ceph."))));
            }
            for (String name : backendNames(settings)) {
                String prefix = "blockferry.backends." + name + ".";
                String type = settings.text(prefix + "type");
                if (!type.equals("rbd")) {
                    throw new ConfigurationException(prefix + "type is '" + type + "': this release knows the "
                            + "backend type rbd");
                }
                sources.add(new RbdBlockSource(name, CephCluster.connect(cephSettings(settings, prefix))));
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

    private static CephSettings cephSettings(Settings settings, String prefix) {
        return new CephSettings(settings.path(prefix + "conf"), settings.text(prefix + "id"),
                settings.find(prefix + "keyring").map(Path::of).orElse(null),
                settings.find(prefix + "timeout-seconds").map(Integer::parseInt)
                        .orElse(settings.integer("blockferry.ceph.timeout-seconds")));
    }
}
