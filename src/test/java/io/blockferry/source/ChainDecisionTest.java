package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.blockferry.transport.SyncMode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainDecisionTest {

    private static final VolumeState BASED = new VolumeState("volumes/v1", "img1", "blockferry-g1", 1, 1 << 30, 1,
            null, 0, 0, 0, null, null, 0, 0);
    private static final SyncRequest SCHEDULED = SyncRequest.incremental("volumes/v1", "test");

    @Test
    void should_sync_incrementally_on_an_intact_chain_without_hint() {
        ChainDecision.Plan plan = ChainDecision.decide(BASED, SCHEDULED, "img1", 1 << 30, List.of("blockferry-g1"), null);
        assertEquals(SyncMode.INCREMENTAL, plan.mode());
    }

    @Test
    void should_resync_in_full_naming_the_inventorys_hint_even_when_the_image_looks_intact() {
        ChainDecision.Plan plan = ChainDecision.decide(BASED, SCHEDULED, "img1", 1 << 30, List.of("blockferry-g1"),
                "server-migrated");
        assertEquals(SyncMode.FULL, plan.mode());
        assertEquals("server-migrated", plan.cause());
    }

    @Test
    void should_let_a_first_sync_or_a_requested_full_win_over_a_hint() {
        assertEquals("first-sync", ChainDecision.decide(VolumeState.fresh("volumes/v1"), SCHEDULED, "img1", 1,
                List.of(), "volume-resized").cause());
        assertEquals("requested", ChainDecision.decide(BASED, SyncRequest.full("volumes/v1", "t"), "img1", 1,
                List.of(), "volume-resized").cause());
    }
}
