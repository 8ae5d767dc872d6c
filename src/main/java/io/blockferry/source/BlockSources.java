package io.blockferry.source;

import io.blockferry.config.ConfigurationException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The configured source backends, by the scheme of their volume ids. */
public final class BlockSources implements AutoCloseable {

    private final Map<String, BlockSource> byName = new LinkedHashMap<>();

    public BlockSources(List<BlockSource> sources) {
        for (BlockSource source : sources) {
            byName.put(source.name(), source);
        }
    }

    /** The backend of a volume id. */
    public BlockSource of(VolumeId id) {
        BlockSource source = byName.get(id.scheme());
        if (source == null) {
            throw new ConfigurationException("volume " + id + " is on backend '" + id.scheme() + "', which is not "
                    + "configured: set blockferry.backends." + id.scheme() + ".type (configured: " + byName.keySet()
                    + ")");
        }
        return source;
    }

    /** Opens a volume by its id; close it after use. */
    public SourceVolume open(String volumeId) {
        VolumeId id = VolumeId.parse(volumeId);
        return of(id).open(id);
    }

    public Collection<BlockSource> all() {
        return byName.values();
    }

    /** The default RBD backend's, if it is configured, for tools that write test images. */
    public BlockSource byName(String name) {
        return byName.get(name);
    }

    @Override
    public void close() {
        for (BlockSource source : byName.values()) {
            try {
                source.close();
            } catch (RuntimeException e) {
                // closing one backend must not keep the others open
            }
        }
    }
}
