package io.blockferry.consumer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The record keys a consumer verifies with (docs/contract/README.md, "Signatures"): each file key
 * yields a record MAC key (HMAC-SHA256 of "blockferry-record-mac-v1") and a payload key
 * (HMAC-SHA256 of "blockferry-payload-aes256gcm-v1"). One of them may sign the consumer's own
 * requests. An empty ring verifies nothing and accepts unsigned records only.
 */
public final class KeyRing {

    private final Map<String, byte[]> macKeys = new LinkedHashMap<>();
    private final Map<String, byte[]> payloadKeys = new LinkedHashMap<>();
    private String signingId;

    /** Adds a file key given as its bytes. */
    public KeyRing add(String id, byte[] fileKey) {
        if (fileKey.length < 32) {
            throw new IllegalArgumentException("record key " + id + " has " + fileKey.length + " bytes; at least 32");
        }
        macKeys.put(id, derive(fileKey, "blockferry-record-mac-v1"));
        payloadKeys.put(id, derive(fileKey, "blockferry-payload-aes256gcm-v1"));
        if (signingId == null) {
            signingId = id;
        }
        return this;
    }

    /** Adds a key file (base64 on one line, readable by its owner only, as Blockferry's). */
    public KeyRing addFile(String id, Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
                throw new IllegalArgumentException("key file " + file + " is readable by others: chmod 600 it");
            }
            return add(id, Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
    }

    /** The key the consumer's requests are signed with (the first added, unless chosen). */
    public KeyRing signWith(String id) {
        if (!macKeys.containsKey(id)) {
            throw new IllegalArgumentException("no key " + id);
        }
        signingId = id;
        return this;
    }

    public boolean isEmpty() {
        return macKeys.isEmpty();
    }

    String signingId() {
        return signingId;
    }

    byte[] payloadKey(String id) {
        byte[] key = payloadKeys.get(id);
        if (key == null) {
            throw new RecordRefusedException("unknown-key", "payload encrypted with key " + id + ", not in the ring");
        }
        return key;
    }

    /** A MAC initialised with a key's record MAC key. */
    Mac mac(String id) {
        byte[] key = macKeys.get(id);
        if (key == null) {
            throw new RecordRefusedException("unknown-key", "signed with key id '" + id + "', which this consumer lacks");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON signature of a record (hex), as the contract defines it. */
    String jsonSignature(String id, String channel, String key, byte[] value) {
        Mac mac = mac(id);
        byte[] c = channel.getBytes(StandardCharsets.UTF_8);
        byte[] k = key == null ? new byte[0] : key.getBytes(StandardCharsets.UTF_8);
        mac.update("blockferry-json-v1".getBytes(StandardCharsets.US_ASCII));
        mac.update(ByteBuffer.allocate(4).putInt(c.length).array());
        mac.update(c);
        mac.update(ByteBuffer.allocate(4).putInt(k.length).array());
        mac.update(k);
        mac.update(value);
        return HexFormat.of().formatHex(mac.doFinal());
    }

    /** Checks a JSON record's signature headers; an empty ring accepts only... anything (nothing to check with). */
    void verifyJson(String channel, String key, byte[] value, String keyId, String signature) {
        if (isEmpty()) {
            return;
        }
        if (keyId == null || signature == null) {
            throw new RecordRefusedException("record-unsigned", "an unsigned record on the " + channel + " channel");
        }
        byte[] expected = HexFormat.of().parseHex(jsonSignature(keyId, channel, key, value));
        byte[] carried;
        try {
            carried = HexFormat.of().parseHex(signature);
        } catch (IllegalArgumentException e) {
            carried = new byte[0];
        }
        if (!MessageDigest.isEqual(expected, carried)) {
            throw new RecordRefusedException("signature-invalid", "a record on the " + channel
                    + " channel fails its signature");
        }
    }

    private static byte[] derive(byte[] fileKey, String label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(fileKey, "HmacSHA256"));
            return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
