package io.blockferry.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The task topic's offsets advance only past records whose tasks have finished. */
class TaskOffsetsTest {

    @Test
    void should_commit_only_past_records_whose_task_finished() {
        TaskOffsets offsets = new TaskOffsets();
        offsets.consumed(0, 10, "a");
        offsets.consumed(0, 11, "b");
        offsets.started("a");
        // a request for a while its task runs: another task, not answered by the running one
        offsets.consumed(0, 12, "a");
        assertEquals(OptionalLong.of(10), offsets.oldestOpen(0));
        offsets.finished("a");
        assertEquals(OptionalLong.of(11), offsets.oldestOpen(0), "a's first record is done, b's is not");
        offsets.started("b");
        offsets.finished("b");
        assertEquals(OptionalLong.of(12), offsets.oldestOpen(0), "the request that came while a ran is still open");
        offsets.started("a");
        offsets.finished("a");
        assertEquals(OptionalLong.empty(), offsets.oldestOpen(0));
    }

    @Test
    void should_free_the_records_of_a_task_that_expired_without_starting_and_of_skipped_records() {
        TaskOffsets offsets = new TaskOffsets();
        offsets.consumed(1, 5, "a");
        offsets.consumed(1, 6, "a");
        offsets.skipped(1, 7);
        offsets.consumed(1, 8, "b");
        offsets.finished("a");
        assertEquals(OptionalLong.of(8), offsets.oldestOpen(1));
    }

    @Test
    void should_leave_a_partition_it_lost_to_the_next_owner() {
        TaskOffsets offsets = new TaskOffsets();
        offsets.consumed(2, 3, "a");
        offsets.started("a");
        offsets.consumed(3, 9, "c");
        offsets.forget(2);
        offsets.finished("a");
        assertEquals(OptionalLong.empty(), offsets.oldestOpen(2));
        assertEquals(OptionalLong.of(9), offsets.oldestOpen(3), "another partition's records stay");
    }
}
