package io.blockferry.security;

import io.blockferry.events.Causes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;

/**
 * Signatures of Blockferry's JSON records (acks, events, metadata, requests), carried in two Kafka
 * headers so the JSON stays as it is: {@code blockferry-key-id} (the key's id) and
 * {@code blockferry-signature} (64 lowercase hex digits). The signature is the HMAC-SHA256, with
 * the record MAC key ({@link RecordKeys}), of:
 * <pre>
 *   "blockferry-json-v1"                      (ASCII, 18 bytes)
 *   u32 length of the channel, the channel    (acks, events, metadata, requests: the logical name, not the topic)
 *   u32 length of the record key, the key     (UTF-8; length 0 for a record without key)
 *   the record's value, as sent               (the JSON bytes)
 * </pre>
 * Binding the channel keeps a signed event from passing as an ack; binding the key keeps one
 * volume's ack from passing as another's. Topics may be renamed (MirrorMaker) without breaking it.
 */
public final class JsonRecordAuth {

    public static final String KEY_ID_HEADER = "blockferry-key-id";
    public static final String SIGNATURE_HEADER = "blockferry-signature";
    static final byte[] CONTEXT = "blockferry-json-v1".getBytes(StandardCharsets.US_ASCII);
    public static final String ACKS = "acks";
    public static final String EVENTS = "events";
    public static final String METADATA = "metadata";
    public static final String REQUESTS = "requests";
    public static final String CHUNK_SUMS = "chunk-sums";
    /** The sync requests the proxies of a site share (blockferry.kafka.task-topic). */
    public static final String TASKS = "tasks";
    /** Each volume's source state, as the proxy that owns it last wrote it (blockferry.kafka.source-state-topic). */
    public static final String SOURCE_STATE = "source-state";

    private final RecordKeys keys;

    public JsonRecordAuth(RecordKeys keys) {
        this.keys = keys;
    }

    public RecordKeys keys() {
        return keys;
    }

    /** The headers that sign a record, or none when no keys are configured. */
    public Map<String, String> sign(String channel, String key, byte[] value) {
        if (!keys.signing()) {
            return Map.of();
        }
        byte[] mac = mac(keys.signingMac(), channel, key, value);
        return Map.of(KEY_ID_HEADER, keys.signingId(), SIGNATURE_HEADER, HexFormat.of().formatHex(mac));
    }

    /**
     * Checks a record's signature headers.
     *
     * @return the key id that signed it, or null for an unsigned record that is accepted
     * @throws UnauthenticatedRecordException when it is unsigned and must not be, or its signature fails
     */
    public String verify(String channel, String key, byte[] value, String keyId, String signature) {
        String what = "a record on the " + channel + " channel" + (key == null ? "" : " keyed " + key);
        if (keyId == null || keyId.isEmpty() || signature == null || signature.isEmpty()) {
            if (keys.acceptUnsigned()) {
                return null;
            }
            throw new UnauthenticatedRecordException(what + " is not signed (no " + KEY_ID_HEADER + " and "
                    + SIGNATURE_HEADER + " headers) and this process accepts only signed records",
                    Causes.RECORD_UNSIGNED);
        }
        byte[] carried;
        try {
            carried = HexFormat.of().parseHex(signature.trim());
        } catch (IllegalArgumentException e) {
            throw new UnauthenticatedRecordException(what + " has a " + SIGNATURE_HEADER + " header that is not hex",
                    Causes.SIGNATURE_INVALID);
        }
        byte[] computed = mac(keys.mac(keyId, REQUESTS.equals(channel)), channel, key, value);
        if (!MessageDigest.isEqual(computed, carried)) {
            throw new UnauthenticatedRecordException(what + " carries a signature of key '" + keyId + "' that does "
                    + "not match: forged, or changed after it was signed", Causes.SIGNATURE_INVALID);
        }
        return keyId;
    }

    private static byte[] mac(Mac mac, String channel, String key, byte[] value) {
        byte[] c = channel.getBytes(StandardCharsets.UTF_8);
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        mac.update(CONTEXT);
        mac.update(ByteBuffer.allocate(4).putInt(c.length).array());
        mac.update(c);
        mac.update(ByteBuffer.allocate(4).putInt(k.length).array());
        mac.update(k);
        mac.update(value == null ? new byte[0] : value);
        return mac.doFinal();
    }
}
