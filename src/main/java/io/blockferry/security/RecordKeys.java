package io.blockferry.security;

import io.blockferry.config.ConfigurationException;
import io.blockferry.config.Settings;
import io.blockferry.events.Causes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys that authenticate records ({@code blockferry.security.*}), shared by the source and
 * target sites and identified by id, so they rotate without downtime: add the new key everywhere,
 * switch {@code signing-key} to it, then remove the old one. Records are signed with the signing
 * key; every listed key is accepted for verification. Request keys are accepted only on the
 * requests channel (downstream consumers asking for a full generation).
 *
 * <p>A key file holds at least 32 random bytes in base64 on one line ({@code openssl rand -base64 32});
 * it must be readable by its owner only. From it two keys are derived, so the same secret never
 * serves two algorithms: the record MAC key {@code HMAC-SHA256(file key, "blockferry-record-mac-v1")}
 * and the payload key {@code HMAC-SHA256(file key, "blockferry-payload-aes256gcm-v1")} (AES-256-GCM).
 * Keys never appear in logs, events, exceptions or child processes: messages name key ids and files.
 */
public final class RecordKeys {

    public static final String MAC_ALGORITHM = "HmacSHA256";
    public static final int MAC_LENGTH = 32;
    static final String MAC_LABEL = "blockferry-record-mac-v1";
    static final String ENCRYPTION_LABEL = "blockferry-payload-aes256gcm-v1";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MIN_KEY_BYTES = 32;

    /** No keys: records go unsigned and unsigned records are accepted (Blockferry before issue #11). */
    public static final RecordKeys NONE = new RecordKeys(Map.of(), Map.of(), null, true, false);

    private record Key(SecretKeySpec mac, SecretKeySpec encryption) {
    }

    private final Map<String, Key> keys;
    private final Map<String, Key> requestKeys;
    private final String signingId;
    private final boolean acceptUnsigned;
    private final boolean encrypt;
    private final ThreadLocal<Map<String, Mac>> macs = ThreadLocal.withInitial(HashMap::new);

    private RecordKeys(Map<String, Key> keys, Map<String, Key> requestKeys, String signingId, boolean acceptUnsigned,
                       boolean encrypt) {
        this.keys = keys;
        this.requestKeys = requestKeys;
        this.signingId = signingId;
        this.acceptUnsigned = acceptUnsigned;
        this.encrypt = encrypt;
    }

    /** The keys of {@code blockferry.security.*}; {@link #NONE} when no record keys are listed. */
    public static RecordKeys from(Settings settings) {
        Map<String, byte[]> record = readKeys(settings, "blockferry.security.record-keys");
        Map<String, byte[]> request = readKeys(settings, "blockferry.security.request-keys");
        boolean acceptUnsigned = settings.find("blockferry.security.accept-unsigned").map(v -> flag(
                "blockferry.security.accept-unsigned", v)).orElse(false);
        boolean encrypt = settings.find("blockferry.security.encrypt-payloads").map(v -> flag(
                "blockferry.security.encrypt-payloads", v)).orElse(false);
        String signing = settings.find("blockferry.security.signing-key").orElse(null);
        if (record.isEmpty()) {
            if (encrypt || signing != null || !request.isEmpty()) {
                throw new ConfigurationException("blockferry.security.record-keys is empty, but "
                        + (encrypt ? "encrypt-payloads" : signing != null ? "signing-key" : "request-keys")
                        + " is set: list the record keys as id=keyfile pairs");
            }
            return NONE;
        }
        return of(record, signing, acceptUnsigned, request, encrypt);
    }

    /** Keys given directly (tests and tools); {@code signingId} null takes the only key. */
    public static RecordKeys of(Map<String, byte[]> record, String signingId, boolean acceptUnsigned,
                                Map<String, byte[]> request, boolean encrypt) {
        if (record.isEmpty()) {
            return NONE;
        }
        if (signingId == null) {
            if (record.size() != 1) {
                throw new ConfigurationException("blockferry.security.signing-key is empty and "
                        + "blockferry.security.record-keys lists " + record.size() + " keys (" + String.join(", ",
                        record.keySet()) + "): name the one records are signed with");
            }
            signingId = record.keySet().iterator().next();
        }
        if (!record.containsKey(signingId)) {
            throw new ConfigurationException("blockferry.security.signing-key is '" + signingId + "', which "
                    + "blockferry.security.record-keys does not list (it lists " + String.join(", ", record.keySet())
                    + ")");
        }
        for (String id : request.keySet()) {
            if (record.containsKey(id)) {
                throw new ConfigurationException("key id '" + id + "' is listed both as a record key and as a request "
                        + "key: give each key its own id");
            }
        }
        return new RecordKeys(derived(record), derived(request), signingId, acceptUnsigned, encrypt);
    }

    private static Map<String, Key> derived(Map<String, byte[]> raw) {
        Map<String, Key> out = new LinkedHashMap<>();
        raw.forEach((id, secret) -> {
            checkId(id);
            out.put(id, new Key(new SecretKeySpec(derive(secret, MAC_LABEL), MAC_ALGORITHM),
                    new SecretKeySpec(derive(secret, ENCRYPTION_LABEL), "AES")));
        });
        return Collections.unmodifiableMap(out);
    }

    static byte[] derive(byte[] secret, String label) {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(new SecretKeySpec(secret, MAC_ALGORITHM));
            return mac.doFinal(label.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM has no " + MAC_ALGORITHM, e);
        }
    }

    private static void checkId(String id) {
        if (!KEY_ID.matcher(id).matches()) {
            throw new ConfigurationException("record key id '" + id + "' is not 1 to 64 letters, digits, '.', '_' "
                    + "or '-'");
        }
    }

    private static boolean flag(String key, String value) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new ConfigurationException(key + " is '" + value + "': use true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static Map<String, byte[]> readKeys(Settings settings, String key) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        // id=keyfile pairs, such as site-2026=/etc/blockferry/keys/site-2026.key
        settings.pairs(key).forEach((id, file) -> {
            checkId(id);
            out.put(id, readKeyFile(id, Path.of(file)));
        });
        return out;
    }

    /**
     * Reads a key file: a regular file readable by its owner only, holding base64 of at least 32
     * bytes. Errors name the file and the key id, never the content.
     */
    public static byte[] readKeyFile(String id, Path file) {
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigurationException("record key '" + id + "': " + file + " is not a file");
            }
            try {
                Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
                Set<PosixFilePermission> open = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                        PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
                if (permissions.stream().anyMatch(open::contains)) {
                    throw new ConfigurationException("record key '" + id + "': " + file + " can be read or changed by "
                            + "others than its owner: chmod 600 " + file);
                }
            } catch (UnsupportedOperationException e) {
                throw new ConfigurationException("record key '" + id + "': the permissions of " + file
                        + " cannot be checked on this file system: keep key files on a POSIX file system");
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            byte[] secret;
            try {
                secret = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("record key '" + id + "': " + file + " does not hold one line of "
                        + "base64 (make one with: openssl rand -base64 32 > " + file + ")");
            }
            if (secret.length < MIN_KEY_BYTES) {
                throw new ConfigurationException("record key '" + id + "': " + file + " holds " + secret.length
                        + " bytes; a key needs at least " + MIN_KEY_BYTES + " (openssl rand -base64 32)");
            }
            return secret;
        } catch (IOException e) {
            throw new ConfigurationException("record key '" + id + "': cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Whether records are signed (keys are configured). */
    public boolean signing() {
        return signingId != null;
    }

    public String signingId() {
        return signingId;
    }

    /** Whether an unsigned record is accepted: no keys configured, or a mixed-version roll-out. */
    public boolean acceptUnsigned() {
        return signingId == null || acceptUnsigned;
    }

    /** Whether DATA payloads are encrypted (AES-256-GCM) on the topic. */
    public boolean encrypt() {
        return encrypt && signingId != null;
    }

    /** This thread's MAC for the signing key, reset and ready. */
    public Mac signingMac() {
        return mac(signingId, false);
    }

    /**
     * This thread's MAC for a key id, reset and ready.
     *
     * @param requests whether the record is a request (request keys are accepted there only)
     * @throws UnauthenticatedRecordException when the id names no key this process accepts there
     */
    public Mac mac(String keyId, boolean requests) {
        Key key = keys.get(keyId);
        if (key == null && requests) {
            key = requestKeys.get(keyId);
        }
        if (key == null) {
            throw new UnauthenticatedRecordException("a record is signed with key id '" + keyId + "', which this "
                    + "process does not accept" + (keys.isEmpty() ? " (it has no record keys: set "
                    + "blockferry.security.record-keys)" : " (it accepts " + String.join(", ", keys.keySet())
                    + (requests && !requestKeys.isEmpty() ? ", " + String.join(", ", requestKeys.keySet()) : "")
                    + ")"), Causes.UNKNOWN_KEY);
        }
        String cacheKey = (requests && !keys.containsKey(keyId) ? "request:" : "record:") + keyId;
        Key chosen = key;
        return macs.get().computeIfAbsent(cacheKey, k -> {
            try {
                Mac mac = Mac.getInstance(MAC_ALGORITHM);
                mac.init(chosen.mac());
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JVM has no " + MAC_ALGORITHM, e);
            }
        });
    }

    /** The AES-256-GCM key derived from a record key. */
    public SecretKeySpec encryptionKey(String keyId) {
        Key key = keys.get(keyId);
        if (key == null) {
            throw new UnauthenticatedRecordException("a payload is encrypted with key id '" + keyId + "', which this "
                    + "process does not have", Causes.UNKNOWN_KEY);
        }
        return key.encryption();
    }

    @Override
    public String toString() {
        return signingId == null ? "no record keys" : "record keys " + keys.keySet() + " (signing with " + signingId
                + ")" + (requestKeys.isEmpty() ? "" : ", request keys " + requestKeys.keySet());
    }
}
