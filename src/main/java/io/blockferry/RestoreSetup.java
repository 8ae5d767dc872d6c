package io.blockferry;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.inventory.CephPoolMap;
import io.blockferry.inventory.OpenStackApi;
import io.blockferry.inventory.OpenStackConfig;
import io.blockferry.restore.RbdCli;
import io.blockferry.restore.RestoreRunner;
import io.blockferry.restore.TargetCloud;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Makes the target's restore runner from the blockferry.restore.* keys and the OpenStack credential. */
final class RestoreSetup {

    private static final String PREFIX = "blockferry.restore.";

    private RestoreSetup() {
    }

    /**
     * The runner, made (and authenticated) at the first restore and kept: a target that never
     * restores needs no cloud credential, and one that does reports a bad one when asked.
     */
    static Supplier<RestoreRunner> lazyRunner(Settings settings) {
        return new Supplier<>() {
            private RestoreRunner runner;

            @Override
            public synchronized RestoreRunner get() {
                if (runner == null) {
                    runner = create(settings);
                }
                return runner;
            }
        };
    }

    static RestoreRunner create(Settings settings) {
        OpenStackApi api = new OpenStackApi(OpenStackConfig.projectCredential(settings));
        TargetCloud cloud = new TargetCloud(api, settings.duration(PREFIX + "timeout"));
        CephPoolMap pools = CephPoolMap.parse(settings.text(PREFIX + "pools", ""), PREFIX + "pools");
        return new RestoreRunner(cloud, new RbdCli(settings.text(PREFIX + "rbd-command", "rbd"),
                        settings.find(PREFIX + "rbd-timeout").isPresent() ? settings.duration(PREFIX + "rbd-timeout")
                                : RbdCli.DEFAULT_TIMEOUT, io.blockferry.config.ChildEnvironment.from(settings)),
                settings.pairs(PREFIX + "volume-types"), pools);
    }
}
