package io.blockferry.inventory;

import static io.blockferry.inventory.Fixtures.active;
import static io.blockferry.inventory.Fixtures.bootVolume;
import static io.blockferry.inventory.Fixtures.server;
import static io.blockferry.inventory.Fixtures.volume;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.ChainBreak;
import io.blockferry.events.Event;
import io.blockferry.events.EventTypes;
import io.blockferry.source.ChainHints;
import io.blockferry.store.Database;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The inventory service on a real H2 store, fed with hand-built polls: what it keeps, persists,
 * reports and hints.
 */
class InventoryServiceTest {

    private static final DiskMapper MAPPER = new DiskMapper(
            new CephPoolMap(Map.of("ceph-ssd", "volumes", "ceph-hdd", "volumes-hdd")), new SkipRules());

    @TempDir
    Path dir;
    private Database db;
    private final List<Event> events = new ArrayList<>();
    private final Deque<Supplier<Inventory>> polls = new ArrayDeque<>();

    @BeforeEach
    void open() {
        db = Database.open(dir.resolve("source"), Database.schema(ChainHints.SCHEMA, InventoryStore.SCHEMA));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private InventoryService service() {
        return new InventoryService(true, previous -> new CloudPoller.Result(polls.removeFirst().get(), List.of()),
                new InventoryStore(db), MAPPER, new ChainHints(db), true, events::add);
    }

    private static Inventory at(int second, List<Server> servers, List<Volume> volumes) {
        return new Inventory(Instant.parse("2025-01-01T00:00:00Z").plusSeconds(second), servers, volumes, List.of(),
                List.of(Fixtures.SMALL));
    }

    private List<Event> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    @Test
    void should_report_a_skip_once_and_again_only_when_its_reason_changes() {
        Server unmapped = active("s1", BootSource.volume("v1"), new ServerVolume("v1", "/dev/vda"),
                new ServerVolume("v2", "/dev/vdb"));
        List<Volume> volumes = List.of(bootVolume("v1", "ceph-ssd", 1, "s1"),
                volume("v2", "lvm-unmapped", 1, "s1", "/dev/vdb"));
        polls.add(() -> at(0, List.of(unmapped), volumes));
        polls.add(() -> at(60, List.of(unmapped), volumes));
        polls.add(() -> at(120, List.of(server("s1", "SUSPENDED", null, BootSource.volume("v1"),
                new ServerVolume("v1", "/dev/vda"), new ServerVolume("v2", "/dev/vdb"))), volumes));
        InventoryService service = service();

        service.poll();
        service.poll();
        List<Event> skips = ofType(EventTypes.INVENTORY_SKIP);
        assertEquals(1, skips.size(), events.toString());
        assertEquals(SkipReason.VOLUME_TYPE_UNMAPPED, skips.get(0).cause());
        assertTrue(skips.get(0).message().contains("volume type 'lvm-unmapped'"), skips.get(0).message());
        assertTrue(skips.get(0).message().contains("blockferry.openstack.pools"), skips.get(0).message());

        service.poll();
        skips = ofType(EventTypes.INVENTORY_SKIP);
        assertEquals(2, skips.size(), events.toString());
        assertEquals(SkipReason.SERVER_SUSPENDED, skips.get(1).cause());
        assertEquals(List.of(), service.mapping().disksOf("s1"), "a suspended server has nothing to sync");
    }

    @Test
    void should_keep_the_last_good_inventory_when_a_poll_fails_and_report_each_new_error_once() {
        Inventory good = at(0, List.of(active("s1", BootSource.image("img"))), List.of());
        polls.add(() -> good);
        polls.add(() -> { throw new OpenStackException("Keystone at http://k did not answer", 0); });
        polls.add(() -> { throw new OpenStackException("Keystone at http://k did not answer", 0); });
        polls.add(() -> { throw new OpenStackException("Keystone refused user 'u'", 401); });
        InventoryService service = service();
        service.poll();

        for (int i = 0; i < 3; i++) {
            assertThrows(OpenStackException.class, service::poll);
        }
        assertSame(good, service.current());
        assertEquals(List.of(new MappedDisk("s1", "/dev/vda", null, "vms", "s1_disk", 1, true)),
                service.mapping().disksOf("s1"));
        List<Event> failures = ofType(EventTypes.INVENTORY_POLL_FAILED);
        assertEquals(2, failures.size(), "the repeated error is not published again: " + failures);
        assertTrue(failures.get(1).message().contains("Keystone refused user 'u'"), failures.get(1).message());
        assertEquals(3, service.status().consecutiveFailures());
    }

    @Test
    void should_load_the_stored_inventory_before_the_first_poll() {
        Server s1 = active("s1", BootSource.volume("v1"), new ServerVolume("v1", "/dev/vda"));
        polls.add(() -> at(0, List.of(s1), List.of(bootVolume("v1", "ceph-ssd", 1, "s1"))));
        service().poll();

        InventoryService restarted = service();
        assertEquals(Instant.parse("2025-01-01T00:00:00Z"), restarted.current().polledAt());
        assertEquals(s1, restarted.current().server("s1").orElseThrow());
        assertEquals("volumes/volume-v1", restarted.mapping().disksOf("s1").get(0).imageSpec());
    }

    @Test
    void should_hint_a_full_resync_of_an_extended_volume_and_of_a_moved_servers_disks() {
        Server s1 = active("s1", BootSource.volume("v1"), new ServerVolume("v1", "/dev/vda"),
                new ServerVolume("v2", "/dev/vdb"));
        Server moved = new Server("s1", "vm-s1", "p1", "ACTIVE", null, "node2", "f1", "bf.small", List.of(),
                s1.volumes(), s1.bootSource(), "/dev/vda");
        polls.add(() -> at(0, List.of(s1), List.of(bootVolume("v1", "ceph-ssd", 1, "s1"),
                volume("v2", "ceph-hdd", 1, "s1", "/dev/vdb"))));
        polls.add(() -> at(60, List.of(s1), List.of(bootVolume("v1", "ceph-ssd", 1, "s1"),
                volume("v2", "ceph-hdd", 3, "s1", "/dev/vdb"))));
        polls.add(() -> at(120, List.of(moved), List.of(bootVolume("v1", "ceph-ssd", 1, "s1"),
                volume("v2", "ceph-hdd", 3, "s1", "/dev/vdb"))));
        InventoryService service = service();
        ChainHints hints = new ChainHints(db);

        service.poll();
        assertEquals(List.of(), hints.all(), "a first poll hints nothing");
        service.poll();
        ChainHints.Hint hint = hints.find("volumes-hdd/volume-v2").orElseThrow();
        assertEquals(ChainBreak.VOLUME_RESIZED, hint.cause());
        assertTrue(hint.detail().contains("extended from 1 to 3 GiB"), hint.detail());
        Event change = ofType(EventTypes.INVENTORY_CHANGE).stream().filter(e -> e.cause().equals("volume-extended"))
                .findFirst().orElseThrow();
        assertEquals("volumes-hdd/volume-v2", change.volumeId());
        assertTrue(change.message().contains("full resync (volume-resized)"), change.message());

        service.poll();
        assertEquals(ChainBreak.SERVER_MIGRATED, hints.find("volumes/volume-v1").orElseThrow().cause());
        assertEquals(ChainBreak.SERVER_MIGRATED, hints.find("volumes-hdd/volume-v2").orElseThrow().cause(),
                "the newer hint replaces the older");
    }

    @Test
    void should_build_metadata_with_disks_in_boot_order_and_republish_only_changed_servers() {
        Server s1 = new Server("s1", "vm1", "p1", "ACTIVE", null, "node1", "f1", "bf.small", List.of("gold"),
                List.of(new ServerVolume("v3", "/dev/vdc"), new ServerVolume("v2", "/dev/vdb"),
                        new ServerVolume("v1", "/dev/vda")), BootSource.volume("v1"), "/dev/vda", null, null, null,
                "u1", "mykey", "nova", List.of("default"));
        List<Volume> volumes = List.of(bootVolume("v1", "ceph-ssd", 2, "s1"),
                volume("v2", "ceph-hdd", 5, "s1", "/dev/vdb"), volume("v3", "lvm-unmapped", 1, "s1", "/dev/vdc"));
        polls.add(() -> at(0, List.of(s1), volumes));
        polls.add(() -> at(60, List.of(s1), volumes));
        InventoryService service = service();

        assertEquals(List.of("s1"), service.poll());
        ServerMetadata m = service.metadataOf("s1");
        assertEquals(List.of("/dev/vda", "/dev/vdb"), m.disks().stream().map(ServerMetadata.Disk::device).toList());
        assertEquals(List.of(0, 1), m.disks().stream().map(ServerMetadata.Disk::bootIndex).toList());
        assertTrue(m.disks().get(0).bootable());
        assertEquals("volumes-hdd/volume-v2", m.disks().get(1).imageSpec());
        assertEquals("ceph-hdd", m.disks().get(1).volumeType());
        assertEquals("v3", m.skippedDisks().get(0).volumeId());
        assertEquals("bf.small", m.flavor().name());
        assertEquals(new ServerMetadata.KeypairRef("mykey", false, null, null, null), m.keypair(),
                "a keypair Nova did not list to us is marked as not visible");
        assertEquals(List.of("gold"), m.tags());
        assertEquals("nova", m.availabilityZone());

        service.metadataPublished(m);
        assertEquals(List.of(), service.poll(), "unchanged metadata is not published again");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> service.metadataOf("nope"));
        assertTrue(e.getMessage().contains("server 'nope' is not in the OpenStack inventory"), e.getMessage());
        assertFalse(e.getMessage().isBlank());
    }
}
