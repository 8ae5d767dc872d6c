package io.blockferry;

import io.blockferry.config.ConfigCheck;
import io.blockferry.config.ConfigType;
import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.source.BlockSources;
import io.blockferry.source.VolumeId;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What is checked before Blockferry starts anything that lasts: the whole configuration, then (once
 * the sources are connected, before Kafka) that each volume the configuration names lives in a pool
 * its backend has. Each problem is one line naming the key, where it is set and the fix.
 */
final class Preflight {

    private static final Logger LOG = LoggerFactory.getLogger(Preflight.class);
    private static final String VOLUMES = "blockferry.source.volumes";

    private Preflight() {
    }

    static void checkConfiguration(Settings settings) {
        ConfigCheck.Findings findings = ConfigCheck.of(settings);
        findings.warnings().forEach(LOG::warn);
        List<String> errors = new ArrayList<>(findings.errors());
        try {
            staticVolumes(settings);
        } catch (ConfigurationException e) {
            errors.add(e.getMessage());
        }
        new ConfigCheck.Findings(errors, List.of()).throwIfAny();
    }

    static List<VolumeId> staticVolumes(Settings settings) {
        List<VolumeId> volumes = new ArrayList<>();
        for (String item : ConfigType.list(settings.text(VOLUMES, ""))) {
            try {
                volumes.add(VolumeId.parse(item));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(settings.invalidValue(VOLUMES, item, "a volume id: " + e.getMessage()));
            }
        }
        return volumes;
    }

    /** Every configured volume's backend is configured and has its pool. */
    static void checkVolumes(Settings settings, BlockSources sources) {
        List<String> errors = new ArrayList<>();
        for (VolumeId id : staticVolumes(settings)) {
            try {
                sources.of(id).volumes(id.pool());
            } catch (ConfigurationException e) {
                errors.add("configuration key '" + VOLUMES + "' (" + settings.origin(VOLUMES) + "): " + e.getMessage());
            } catch (RuntimeException e) {
                errors.add("configuration key '" + VOLUMES + "' (" + settings.origin(VOLUMES) + ") names " + id
                        + ", but its pool '" + id.pool() + "' cannot be listed on backend '" + id.scheme() + "' ("
                        + e.getMessage() + "): create the pool, grant the user access to it, or "
                        + settings.whereToFix(VOLUMES));
            }
        }
        new ConfigCheck.Findings(errors, List.of()).throwIfAny();
    }
}
