package io.blockferry.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.inventory.InventoryChange;
import io.blockferry.inventory.SkipReason;
import io.blockferry.ceph.CephException;
import io.blockferry.ceph.CephTransientException;
import io.blockferry.source.SyncFailedException;
import io.blockferry.transport.MalformedRecordException;
import io.blockferry.transport.PublishFailedException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The closed list of causes: failures map to its names, and every name the code uses is on it. */
class CausesTest {

    @Test
    void should_name_failures_from_the_closed_list_never_by_class() {
        assertEquals("image-not-found", Causes.of(new CephException("no image", 2)));
        assertEquals("ceph-permission-denied", Causes.of(new CephException("denied", 13)));
        assertEquals("ceph-error", Causes.of(new CephException("io", 5)));
        assertEquals("ceph-unavailable", Causes.of(new CephTransientException("timeout", 110, null)));
        assertEquals("kafka-unavailable", Causes.of(new PublishFailedException("cut", null, true)));
        assertEquals("sync-incomplete", Causes.of(new SyncFailedException("stopped early")));
        assertEquals("record-version-unsupported", Causes.of(new MalformedRecordException("v9",
                Causes.RECORD_VERSION_UNSUPPORTED)));
        assertEquals("internal-error", Causes.of(new IllegalStateException("bug")));
        assertEquals("image-not-found", Causes.of(new RuntimeException("wrapped", new CephException("x", 2))));
        assertEquals("kafka-unavailable", Causes.of(new org.apache.kafka.common.errors.TimeoutException("t")));
        assertEquals("internal-error", Causes.of(new java.util.concurrent.TimeoutException("t")));
        assertEquals("hcs-unavailable", Causes.of(new io.blockferry.source.hcs.HcsUnavailableException("busy")));
        assertEquals("hcs-job-failed", Causes.of(new io.blockferry.source.hcs.HcsJobFailedException("FAIL", "EVS.2054")));
        assertEquals("attach-limit", Causes.of(new io.blockferry.source.hcs.AttachLimitException("Ecs.0042")));
        assertEquals("base-snapshot-missing", Causes.of(new io.blockferry.source.ChainBrokenException("gone",
                Causes.BASE_SNAPSHOT_MISSING)));
    }

    @Test
    void should_list_every_cause_the_code_publishes() throws Exception {
        List<String> used = new ArrayList<>();
        for (Class<?> names : List.of(ChainBreak.class, SkipReason.class)) {
            for (Field f : names.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                    used.add((String) f.get(null));
                }
            }
        }
        for (Class<?> change : InventoryChange.class.getPermittedSubclasses()) {
            used.add(change.getSimpleName().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT));
        }
        for (String name : used) {
            assertTrue(Causes.isKnown(name), name + " is published as a cause but is not in events/Causes");
        }
    }

    @Test
    void should_publish_a_name_missing_from_the_list_as_unclassified() {
        assertEquals("unclassified", Event.of(EventTypes.SYNC_FAILED, "v", "SomeException", Event.ERROR, "m",
                Map.of()).cause());
        assertEquals("ceph-error", Event.of(EventTypes.SYNC_FAILED, "v", "ceph-error", Event.ERROR, "m",
                Map.of()).cause());
    }
}
