package io.blockferry.transport;

import java.nio.ByteBuffer;
import java.security.MessageDigest;

/**
 * SHA-256 over the ordered list of what a generation changed: for each DATA or ZERO record its
 * kind, offset, length and CRC32C. Source and writer compute it independently; END carries the
 * source's, and a writer commits only when both agree.
 */
public final class ManifestDigest {

    private final MessageDigest sha256;
    private final ByteBuffer entry = ByteBuffer.allocate(21);

    public ManifestDigest() {
        sha256 = Sha256.create();
    }

    public void add(ManifestEntry e) {
        entry.clear();
        entry.put(e.zero() ? (byte) 'z' : (byte) 'w').putLong(e.offset()).putLong(e.length()).putInt(e.crc32c());
        sha256.update(entry.array(), 0, entry.position());
    }

    public byte[] finish() {
        return sha256.digest();
    }
}
