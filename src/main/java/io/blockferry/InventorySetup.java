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
import io.blockferry.inventory.hcs.HcsInventories;
import io.blockferry.inventory.hcs.HcsInventory;
import io.blockferry.source.BlockSource;
import io.blockferry.source.BlockSources;
import io.blockferry.source.hcs.HcsBlockSource;
import io.blockferry.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes the source's inventory beans: OpenStack's from the blockferry.openstack.* keys (a disabled
 * one when off), and one for each HCS backend.
 */
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

    /** The inventories of the HCS backends with blockferry.backends.<name>.inventory on (the default). */
    static HcsInventories hcs(Settings settings, BlockSources sources, Database database, ChainHints hints,
                              EventSink events) {
        List<HcsInventory> inventories = new ArrayList<>();
        for (BlockSource backend : sources.all()) {
            // a value other than true or false is refused with the key named, not read as "on"
            if (backend instanceof HcsBlockSource hcs
                    && settings.flag("blockferry.backends." + backend.name() + ".inventory", true)) {
                inventories.add(new HcsInventory(hcs, InventoryStore.of(database, "hcs:" + backend.name()), hints,
                        events, Clock.systemUTC()));
            }
        }
        return new HcsInventories(inventories);
    }
}
