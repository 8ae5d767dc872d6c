package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.events.EventSink;
import io.blockferry.inventory.CephPoolMap;
import io.blockferry.inventory.CloudPoller;
import io.blockferry.inventory.DiskMapper;
import io.blockferry.inventory.InventoryService;
import io.blockferry.inventory.InventoryStore;
import io.blockferry.inventory.OpenStackConfig;
import io.blockferry.inventory.SkipRules;
import io.blockferry.source.ChainHints;
import java.time.Clock;

/** Makes the source's inventory bean from the blockferry.openstack.* keys; a disabled one when off. */
final class InventorySetup {

    private InventorySetup() {
    }

    static InventoryService create(Settings settings, InventoryStore store, ChainHints hints, EventSink events) {
        OpenStackConfig config = OpenStackConfig.from(settings);
        CephPoolMap pools = config.pools();
        CloudPoller poller = new CloudPoller(config.logins(), config.allProjects(), Clock.systemUTC());
        return new InventoryService(config.enabled(), poller::poll, store, new DiskMapper(pools, new SkipRules()), hints,
                config.resyncOnMigration(), events);
    }
}
