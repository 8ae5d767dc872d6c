package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Finding 19 of the audit: resyncs Blockferry starts on its own back off, and a commit resets them. */
class ResyncBackoffTest {

    @Test
    void should_double_the_wait_before_each_further_resync_up_to_the_maximum() {
        try (ResyncBackoff backoff = new ResyncBackoff(r -> { }, Duration.ofSeconds(10), Duration.ofMinutes(15))) {
            assertEquals(List.of(0L, 10_000L, 20_000L, 40_000L, 80_000L, 160_000L, 320_000L, 640_000L, 900_000L, 900_000L),
                    java.util.stream.IntStream.rangeClosed(1, 10).mapToObj(backoff::delayBefore).toList());
        }
    }

    @Test
    void should_space_a_rejection_loop_and_start_again_at_once_after_a_commit() {
        List<Long> at = new CopyOnWriteArrayList<>();
        long[] start = new long[1];
        try (ResyncBackoff backoff = new ResyncBackoff(r -> at.add((System.nanoTime() - start[0]) / 1_000_000),
                Duration.ofMillis(200), Duration.ofMillis(800))) {
            start[0] = System.nanoTime();
            backoff.request(SyncRequest.incremental("volumes/a", "resync-requested:chunk-corrupt"));
            assertEquals(1, at.size(), "the first goes at once, on the caller's thread");
            for (int i = 0; i < 4; i++) {
                backoff.request(SyncRequest.incremental("volumes/a", "resync-requested:chunk-corrupt"));
            }
            assertEquals(1, at.size(), "the others wait");
            Await.until(at::size, n -> n == 5, Duration.ofSeconds(10), "five resyncs");
            // scheduled 200, 400, 800, 800 ms after the requests: never a burst at full rate
            assertTrue(at.get(1) >= 190 && at.get(2) >= 390 && at.get(3) >= 790, "later ones wait longer: " + at);

            backoff.reset("volumes/a");
            backoff.request(SyncRequest.incremental("volumes/a", "resync-requested:chunk-corrupt"));
            assertEquals(6, at.size(), "after a commit the next resync goes at once again");
        }
    }
}
