package io.blockferry.transport;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A new SHA-256 digest: every Java runtime must have one, so its absence is a broken JVM, not an input error. */
public final class Sha256 {

    private Sha256() {
    }

    public static MessageDigest create() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
