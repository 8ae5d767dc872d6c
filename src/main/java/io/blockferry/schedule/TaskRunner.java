package io.blockferry.schedule;

import io.blockferry.source.GenerationReport;
import io.blockferry.transport.GenerationAck;
import java.time.Duration;

/**
 * Holds a task's slot until the target has answered its generation: a disk is in flight from
 * its snapshot until its ack, so the caps count what the target still has to absorb.
 */
public final class TaskRunner {

    private final Duration ackTimeout;

    public TaskRunner(Duration ackTimeout) {
        this.ackTimeout = ackTimeout;
    }

    public GenerationAck awaitAck(GenerationReport report) {
        return report.awaitCommitted(ackTimeout);
    }
}
