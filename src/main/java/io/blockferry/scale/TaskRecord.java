package io.blockferry.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blockferry.transport.MalformedRecordException;
import java.io.IOException;

/**
 * A sync request on the site's task topic, keyed by volume id. It carries no sync options: the
 * proxy that owns the volume takes them from its own policy file, so a record can ask for a sync
 * but never make a proxy run a hook or change a retention.
 *
 * @param host   the server the disk belongs to, or null
 * @param policy the policy that asked, or null (a resync, a REST request, the static-volume timer)
 */
public record TaskRecord(String volumeId, String host, String policy, int priority, boolean full, String trigger,
                         long requestedAtMillis) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public byte[] encode() {
        ObjectNode n = JSON.createObjectNode();
        n.put("volumeId", volumeId);
        if (host != null) {
            n.put("host", host);
        }
        if (policy != null) {
            n.put("policy", policy);
        }
        n.put("priority", priority);
        n.put("full", full);
        n.put("trigger", trigger);
        n.put("requestedAt", requestedAtMillis);
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a task record", e);
        }
    }

    /** @throws MalformedRecordException when it is not a task record, or names another volume than its key */
    public static TaskRecord decode(String key, byte[] value) {
        JsonNode n;
        try {
            n = value == null ? null : JSON.readTree(value);
        } catch (IOException e) {
            throw new MalformedRecordException("the task record keyed " + key + " is not JSON: " + e.getMessage());
        }
        if (n == null || !n.path("volumeId").isTextual() || !n.path("trigger").isTextual()
                || !n.path("priority").isInt() || !n.path("full").isBoolean()) {
            throw new MalformedRecordException("the record keyed " + key + " on the task topic is not a task (it "
                    + "needs volumeId, trigger, priority and full)");
        }
        String volumeId = n.get("volumeId").asText();
        if (!volumeId.equals(key)) {
            throw new MalformedRecordException("the task record keyed " + key + " names volume " + volumeId
                    + ": a task is keyed by its volume");
        }
        return new TaskRecord(volumeId, text(n, "host"), text(n, "policy"), n.get("priority").asInt(),
                n.get("full").asBoolean(), n.get("trigger").asText(), n.path("requestedAt").asLong(0));
    }

    private static String text(JsonNode n, String field) {
        return n.path(field).isTextual() ? n.get(field).asText() : null;
    }
}
