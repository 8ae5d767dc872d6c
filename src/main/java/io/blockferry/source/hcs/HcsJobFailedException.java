package io.blockferry.source.hcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.blockferry.events.Causes;

/** An HCS job ended {@code FAIL}, vanished, or did not end within the job timeout. */
public class HcsJobFailedException extends HcsException {

    private final transient JsonNode entities;

    public HcsJobFailedException(String message, String code) {
        this(message, code, MissingNode.getInstance());
    }

    /** @param entities what the job named before it failed (a create job's {@code volume_id}), for the clean-up */
    public HcsJobFailedException(String message, String code, JsonNode entities) {
        super(message, Causes.HCS_JOB_FAILED, code);
        this.entities = entities == null ? MissingNode.getInstance() : entities;
    }

    public JsonNode entities() {
        return entities;
    }
}
