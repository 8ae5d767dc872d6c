package io.blockferry.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.blockferry.transport.MalformedRecordException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TaskRecordTest {

    @Test
    void should_read_back_what_it_wrote() {
        TaskRecord task = new TaskRecord("volumes/a", "server-1", "nightly", 50, true, "policy nightly run 3", 1234L);
        assertEquals(task, TaskRecord.decode("volumes/a", task.encode()));
        TaskRecord manual = new TaskRecord("volumes/b", null, null, 100, false, "api", 99L);
        assertEquals(manual, TaskRecord.decode("volumes/b", manual.encode()));
    }

    @Test
    void should_refuse_what_is_not_a_task_naming_the_problem() {
        MalformedRecordException notJson = assertThrows(MalformedRecordException.class,
                () -> TaskRecord.decode("volumes/a", "{oops".getBytes(StandardCharsets.UTF_8)));
        assertTrue(notJson.getMessage().contains("not JSON"), notJson.getMessage());
        MalformedRecordException missing = assertThrows(MalformedRecordException.class,
                () -> TaskRecord.decode("volumes/a", "{\"volumeId\":\"volumes/a\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(missing.getMessage().contains("trigger, priority and full"), missing.getMessage());
        byte[] other = new TaskRecord("volumes/b", null, null, 1, false, "api", 0).encode();
        MalformedRecordException wrongKey = assertThrows(MalformedRecordException.class,
                () -> TaskRecord.decode("volumes/a", other));
        assertTrue(wrongKey.getMessage().contains("keyed by its volume"), wrongKey.getMessage());
    }
}
