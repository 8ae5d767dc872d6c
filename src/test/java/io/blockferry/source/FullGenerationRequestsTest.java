package io.blockferry.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.events.Event;
import io.blockferry.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full-generation requests addressed by site: a request naming another source site is left alone,
 * one naming this site or none is obeyed (once).
 */
class FullGenerationRequestsTest {

    @Test
    void should_obey_requests_addressed_to_this_site_or_to_none_and_leave_another_sites_alone(@TempDir Path dir) {
        try (Database db = Database.open(dir.resolve("state"), VolumeStateStore.SCHEMA)) {
            VolumeStateStore store = new VolumeStateStore(db);
            store.nextGeneration("volumes/a"); // a volume this source syncs
            List<SyncRequest> queued = new ArrayList<>();
            List<Event> events = new ArrayList<>();
            FullGenerationRequests requests = new FullGenerationRequests(store, queued::add, events::add,
                    Duration.ofHours(1), Clock.systemUTC(), "east");
            long now = System.currentTimeMillis();

            assertFalse(requests.onRequest(request("volumes/a", now, "west")), "addressed to another site");
            assertEquals(List.of(), queued);
            assertTrue(requests.onRequest(request("volumes/a", now + 1, "east")));
            assertTrue(requests.onRequest(request("volumes/a", now + 2, null)), "addressed to no site: obeyed");
            assertEquals(2, queued.size());
            assertTrue(queued.stream().allMatch(SyncRequest::full));
            assertEquals(2, events.stream().filter(e -> e.type().equals("full-generation-requested")).count());
        }
    }

    private static byte[] request(String volume, long at, String site) {
        return ("{\"type\":\"full-generation\",\"volumeId\":\"" + volume + "\",\"requestId\":\"r" + at
                + "\",\"requestedBy\":\"test\",\"reason\":\"joined-late\",\"atMillis\":" + at
                + (site == null ? "" : ",\"sourceSite\":\"" + site + "\"") + "}").getBytes(StandardCharsets.UTF_8);
    }
}
