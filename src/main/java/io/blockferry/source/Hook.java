package io.blockferry.source;

import java.time.Duration;
import java.util.List;

/** A command run before or after a volume's snapshot, such as a guest filesystem freeze. */
public record Hook(List<String> command, Duration timeout, OnFailure onFailure) {

    /** What a failed or timed-out hook does to the sync. */
    public enum OnFailure {
        /** The sync fails with a hook-failed event; no snapshot is kept. */
        ABORT,
        /** A hook-failed warning is published and the sync goes on. */
        CONTINUE
    }

    public Hook {
        command = List.copyOf(command);
    }
}
