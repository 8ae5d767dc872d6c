package io.blockferry.inventory;

import static io.blockferry.inventory.Fixtures.active;
import static io.blockferry.inventory.Fixtures.inventory;
import static io.blockferry.inventory.Fixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.inventory.InventoryChange.ServerAdded;
import io.blockferry.inventory.InventoryChange.ServerHostChanged;
import io.blockferry.inventory.InventoryChange.ServerRemoved;
import io.blockferry.inventory.InventoryChange.VolumeAttached;
import io.blockferry.inventory.InventoryChange.VolumeDetached;
import io.blockferry.inventory.InventoryChange.VolumeExtended;
import io.blockferry.inventory.InventoryChange.VolumeMigrated;
import io.blockferry.inventory.InventoryChange.VolumeRetyped;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class InventoryChangesTest {

    private static final BootSource IMAGE = BootSource.image("img");

    @Test
    void should_report_nothing_for_the_same_inventory() {
        Inventory same = inventory(List.of(active("s1", IMAGE, new ServerVolume("v1", "/dev/vdb"))),
                List.of(volume("v1", "ceph-ssd", 1, "s1", "/dev/vdb")));
        assertEquals(List.of(), InventoryChanges.between(same, same));
    }

    @Test
    void should_report_added_and_removed_servers() {
        Inventory before = inventory(List.of(active("old", IMAGE)), List.of());
        Inventory after = inventory(List.of(active("new", IMAGE)), List.of());

        assertEquals(List.of(new ServerAdded("new", "vm-new"), new ServerRemoved("old", "vm-old")),
                InventoryChanges.between(before, after));
    }

    @Test
    void should_report_every_server_as_added_after_an_empty_inventory() {
        Inventory after = inventory(List.of(active("a", IMAGE, new ServerVolume("v1", "/dev/vdb"))),
                List.of(volume("v1", "ceph-ssd", 1, "a", "/dev/vdb")));

        assertEquals(List.of(new ServerAdded("a", "vm-a")), InventoryChanges.between(Inventory.empty(), after));
    }

    @Test
    void should_report_attached_and_detached_volumes() {
        Inventory before = inventory(List.of(active("s1", IMAGE, new ServerVolume("v1", "/dev/vdb"))),
                List.of(volume("v1", "ceph-ssd", 1, "s1", "/dev/vdb"), volume("v2", "ceph-ssd", 1, null, null)));
        Inventory after = inventory(List.of(active("s1", IMAGE, new ServerVolume("v2", "/dev/vdc"))),
                List.of(volume("v1", "ceph-ssd", 1, null, null), volume("v2", "ceph-ssd", 1, "s1", "/dev/vdc")));

        List<InventoryChange> changes = InventoryChanges.between(before, after);
        assertEquals(List.of(new VolumeAttached("s1", "v2", "/dev/vdc"), new VolumeDetached("s1", "v1", "/dev/vdb")),
                changes);
        assertEquals(List.of(Optional.empty(), Optional.empty()),
                changes.stream().map(InventoryChange::chainBreakHint).toList());
    }

    @Test
    void should_hint_volume_resized_when_a_volume_is_extended() {
        Inventory before = inventory(List.of(), List.of(volume("v1", "ceph-ssd", 1, null, null)));
        Inventory after = inventory(List.of(), List.of(volume("v1", "ceph-ssd", 3, null, null)));

        List<InventoryChange> changes = InventoryChanges.between(before, after);
        assertEquals(List.of(new VolumeExtended("v1", 1, 3)), changes);
        assertEquals(Optional.of("volume-resized"), changes.get(0).chainBreakHint());
    }

    @Test
    void should_report_a_retype_once_even_when_the_host_changed_with_it() {
        Volume before = volume("v1", "ceph-ssd", 1, null, null);
        Volume after = new Volume("v1", "vol-v1", "p1", "available", "ceph-hdd", 1, false, false,
                "cinder@ceph-hdd#ceph-hdd", "success", List.of());

        List<InventoryChange> changes = InventoryChanges.between(inventory(List.of(), List.of(before)),
                inventory(List.of(), List.of(after)));
        assertEquals(List.of(new VolumeRetyped("v1", "ceph-ssd", "ceph-hdd")), changes);
        assertEquals(Optional.of("image-recreated"), changes.get(0).chainBreakHint());
    }

    @Test
    void should_report_a_migration_to_another_backend() {
        Volume before = volume("v1", "ceph-ssd", 1, null, null);
        Volume after = new Volume("v1", "vol-v1", "p1", "available", "ceph-ssd", 1, false, false,
                "cinder2@ceph-ssd#ceph-ssd", "success", List.of());

        List<InventoryChange> changes = InventoryChanges.between(inventory(List.of(), List.of(before)),
                inventory(List.of(), List.of(after)));
        assertEquals(List.of(new VolumeMigrated("v1", "cinder@ceph-ssd#ceph-ssd", "cinder2@ceph-ssd#ceph-ssd")), changes);
        assertEquals(Optional.of("image-recreated"), changes.get(0).chainBreakHint());
    }

    @Test
    void should_report_a_host_change_without_a_chain_break() {
        Server before = active("s1", IMAGE);
        Server after = new Server("s1", "vm-s1", "p1", "ACTIVE", null, "node2", "f1", "bf.small", List.of(), List.of(),
                IMAGE, "/dev/vda");

        List<InventoryChange> changes = InventoryChanges.between(inventory(List.of(before), List.of()),
                inventory(List.of(after), List.of()));
        assertEquals(List.of(new ServerHostChanged("s1", "node1", "node2")), changes);
        assertEquals(Optional.empty(), changes.get(0).chainBreakHint());
    }

    @Test
    void should_name_each_kind_of_change_in_kebab_case() {
        assertEquals("server-host-changed", new ServerHostChanged("s", "a", "b").kind());
        assertEquals("volume-extended", new VolumeExtended("v", 1, 2).kind());
        assertEquals("server-added", new ServerAdded("s", "n").kind());
    }
}
